// The checked-in JSON Schemas and AsyncAPI document are current, and say what the zod schemas say.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { asyncApiId } from "./asyncapi.ts";
import { EVENT_NAMES, EVENTS, isResultEvent } from "./events.ts";
import type { EventName } from "./events.ts";
import { GENERATED_DIR, renderGenerated, REPO_ROOT } from "./generate.ts";
import {
  PLATFORM_NAMESPACES_FILE,
  platformNamespacesFromManifests,
  renderPlatformNamespaces,
} from "./platform-namespaces.ts";

const rendered = renderGenerated();

// Every file that differs from what the code renders, missing, or left over from a removed event.
function staleFiles(): string[] {
  const stale = [...rendered].flatMap(([path, content]) => {
    const file = join(REPO_ROOT, path);
    if (!existsSync(file)) return [`${path} is missing`];
    return readFileSync(file, "utf8") === content ? [] : [`${path} is out of date`];
  });
  const dir = join(REPO_ROOT, GENERATED_DIR);
  const present = existsSync(dir) ? readdirSync(dir) : [];
  const extra = present.filter((entry) => !rendered.has(`${GENERATED_DIR}/${entry}`));
  return [...stale, ...extra.map((entry) => `${GENERATED_DIR}/${entry} is left over`)];
}

test("the generated files match the zod schemas", () => {
  const stale = staleFiles();
  const hint = stale.length > 0 ? ["schemas changed: run `make generate` and commit schemas/generated/"] : [];
  expect([...stale, ...hint]).toEqual([]);
});

test("rendering is deterministic and ends files with a newline", () => {
  expect(renderGenerated()).toEqual(rendered);
  for (const content of rendered.values()) expect(content.endsWith("}\n")).toBe(true);
});

function parsed(path: string): Record<string, unknown> {
  return JSON.parse(rendered.get(`${GENERATED_DIR}/${path}`) ?? "null") as Record<string, unknown>;
}

test.each(EVENT_NAMES)("%s.schema.json is a closed JSON Schema 2020-12 with $id and title", (name) => {
  expect(parsed(`${name}.schema.json`)).toMatchObject({
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: `https://icn.akraino.org/schemas/${name}.schema.json`,
    title: EVENTS[name].type,
    type: "object",
    additionalProperties: false,
  });
});

describe("asyncapi.json", () => {
  const doc = parsed("asyncapi.json") as {
    asyncapi: string;
    channels: Record<string, { address: string }>;
    operations: Record<string, { action: string; channel: { $ref: string } }>;
    components: {
      messages: Record<string, { payload: object; headers: { anyOf: [{ required: string[] }, object] } }>;
    };
  };
  const messageOf = (name: EventName): (typeof doc.components.messages)[string] | undefined =>
    doc.components.messages[asyncApiId(name)];

  test("is AsyncAPI 3.0.0 with one channel per subject under the default prefix", () => {
    expect(doc.asyncapi).toBe("3.0.0");
    expect(Object.values(doc.channels).map((channel) => channel.address)).toEqual(
      EVENT_NAMES.map((name) => `icn.${name}`),
    );
  });

  test.each(EVENT_NAMES)("%s: the platform receives inputs and sends results", (name) => {
    const operations = Object.values(doc.operations).filter(
      (operation) => operation.channel.$ref === `#/channels/${asyncApiId(name)}`,
    );
    expect(operations.map((operation) => operation.action)).toEqual([
      isResultEvent(name) ? "send" : "receive",
    ]);
  });

  test.each(EVENT_NAMES)("%s: the payload is closed and only results require ce-causeid", (name) => {
    expect(messageOf(name)?.payload).toMatchObject({ type: "object", additionalProperties: false });
    expect(messageOf(name)?.payload).not.toHaveProperty("$schema");
    expect(messageOf(name)?.headers.anyOf[0].required.includes("ce-causeid")).toBe(isResultEvent(name));
  });
});

test("the reserved platform namespaces are the ones deploy/ installs into (run `make generate` when they change)", () => {
  const generated = readFileSync(join(REPO_ROOT, PLATFORM_NAMESPACES_FILE), "utf8");
  expect(generated).toBe(renderPlatformNamespaces(REPO_ROOT));
  expect(platformNamespacesFromManifests(REPO_ROOT)).toEqual(
    expect.arrayContaining(["icn-system", "nats", "keda"]),
  );
});
