// JSON Schemas of the event data, generated from the zod schemas, for consumers outside TypeScript.
import { z } from "zod";
import { EVENTS } from "./events.ts";
import type { EventName } from "./events.ts";

export type JsonSchema = Record<string, unknown>;

/** Where a data schema is published; also the value for a CloudEvent's `dataschema` attribute. */
export const SCHEMA_BASE_URI = "https://icn.akraino.org/schemas/";

export function dataSchemaUri(name: EventName): string {
  return `${SCHEMA_BASE_URI}${name}.schema.json`;
}

/** The standalone JSON Schema 2020-12 document of an event's data, with `$id` and `title`. */
export function eventJsonSchema(name: EventName): JsonSchema {
  const { $schema, ...body } = convert(name, "draft-2020-12");
  return {
    $schema,
    $id: dataSchemaUri(name),
    title: EVENTS[name].type,
    description: EVENTS[name].description,
    ...body,
  };
}

/**
 * The same schema in draft-07, the dialect AsyncAPI 3.0's default schema format extends,
 * without `$schema` so it embeds in a message's payload.
 */
export function eventPayloadSchema(name: EventName): JsonSchema {
  const body = convert(name, "draft-7");
  delete body.$schema;
  return { title: EVENTS[name].type, description: EVENTS[name].description, ...body };
}

function convert(name: EventName, target: "draft-2020-12" | "draft-7"): JsonSchema {
  // "input": the schema describes what a producer may send; refinements stay zod-only.
  return z.toJSONSchema(EVENTS[name].data, { target, io: "input" });
}
