// What the container image runs, read from the Dockerfile, so tests and benchmarks start processes as it does.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../../deploy/local/paths.ts";

/** The ENTRYPOINT's exec form: ["node", ...flags, "cli/icnctl.js"]. */
export function imageEntrypoint(): string[] {
  const dockerfile = readFileSync(join(repoRoot, "Dockerfile"), "utf8");
  const exec = /^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)?.[1];
  if (!exec) throw new Error("the Dockerfile has no ENTRYPOINT [...] line");
  return JSON.parse(exec) as string[];
}

/** The node flags every process in the image starts with. */
export function imageNodeFlags(): string[] {
  return imageEntrypoint().filter((arg) => arg.startsWith("--"));
}
