// Renders the checked-in JSON Schemas and AsyncAPI document; `node schemas/generate.ts` (make generate) writes them.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { asyncApiDocument } from "./asyncapi.ts";
import { EVENT_NAMES } from "./events.ts";
import { eventJsonSchema } from "./json-schema.ts";
import { PLATFORM_NAMESPACES_FILE, renderPlatformNamespaces } from "./platform-namespaces.ts";

/** Where the generated files live, relative to the repository root. */
export const GENERATED_DIR = "schemas/generated";
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

// Two-space JSON with a trailing newline: key order is the order the code builds, so output is stable.
function render(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** Every generated file, keyed by its path relative to the repository root. */
export function renderGenerated(): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of EVENT_NAMES) {
    files.set(`${GENERATED_DIR}/${name}.schema.json`, render(eventJsonSchema(name)));
  }
  files.set(`${GENERATED_DIR}/asyncapi.json`, render(asyncApiDocument()));
  return files;
}

/** Writes the files and removes generated files that no event produces any more. */
export function writeGenerated(root: string = REPO_ROOT): string[] {
  const files = renderGenerated();
  const dir = join(root, GENERATED_DIR);
  mkdirSync(dir, { recursive: true });
  for (const entry of readdirSync(dir)) {
    if (!files.has(`${GENERATED_DIR}/${entry}`)) rmSync(join(dir, entry));
  }
  for (const [path, content] of files) writeFileSync(join(root, path), content);
  writeFileSync(join(root, PLATFORM_NAMESPACES_FILE), renderPlatformNamespaces(root));
  return [...files.keys(), PLATFORM_NAMESPACES_FILE];
}

if (import.meta.main) {
  const written = writeGenerated();
  console.log(`wrote ${written.length} files to ${GENERATED_DIR}/`);
}
