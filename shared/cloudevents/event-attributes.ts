// Which properties of an event are context attributes, and their CloudEvents type-system string forms.
import { CloudEvent } from "cloudevents";
import type { CloudEventV1 } from "cloudevents";
import { BindingError } from "./binding-error.ts";

/** The spec's own attributes; every other attribute name is an extension. */
export const CONTEXT_ATTRIBUTES = new Set([
  "id",
  "source",
  "specversion",
  "type",
  "datacontenttype",
  "dataschema",
  "subject",
  "time",
]);

/** Properties of an SDK event that are the data itself, not attributes. */
const DATA_PROPERTIES = new Set(["data", "data_base64"]);

const ATTRIBUTE_NAME = /^[a-z0-9]+$/;
/**
 * Every event carries the same few names, and checking one costs more than the rest of its decoding;
 * the set is bounded so a sender inventing names cannot grow it.
 */
const ACCEPTED_NAMES = new Set<string>();
const MAX_REMEMBERED_NAMES = 256;
/**
 * The SDK's CloudEvent treats these 0.3 attributes specially even in 1.0 events (it throws on a truthy
 * schemaurl but keeps a falsy one), so the names cannot round-trip as extensions.
 */
const SDK_V03_ATTRIBUTES = new Set(["schemaurl", "datacontentencoding"]);

/** Spec §"Type System": strings exclude controls, noncharacters and unpaired surrogates. */
const DISALLOWED_IN_STRING = /[\p{Cc}\p{Noncharacter_Code_Point}\p{Cs}]/u;

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * Spec §"Naming Conventions", plus names the SDK's CloudEvent keeps for itself: an extension called
 * "validate", "emit" or "constructor" would shadow that member on the frozen event.
 */
export function assertAttributeName(name: string): void {
  if (ACCEPTED_NAMES.has(name)) return;
  if (!ATTRIBUTE_NAME.test(name) || name === "data") {
    const why = 'attribute names are lower-case ASCII letters and digits, and not "data"';
    throw new BindingError(
      "INVALID_ATTRIBUTE",
      `${JSON.stringify(name)} is not a valid attribute name: ${why}`,
    );
  }
  if (SDK_V03_ATTRIBUTES.has(name) || name in CloudEvent.prototype) {
    const why = "the CloudEvents SDK reserves that name on its CloudEvent class";
    throw new BindingError("INVALID_ATTRIBUTE", `attribute "${name}" cannot be carried: ${why}`);
  }
  if (ACCEPTED_NAMES.size < MAX_REMEMBERED_NAMES) ACCEPTED_NAMES.add(name);
}

/**
 * Attribute name/value pairs of an event to send; the SDK leaves unset optional attributes `undefined`.
 * Names are checked here too, so whatever one end sends the other accepts.
 */
export function attributeEntries(event: CloudEventV1<unknown>): [string, unknown][] {
  const entries = Object.entries(event).filter(
    ([name, value]) => !DATA_PROPERTIES.has(name) && value !== undefined && value !== null,
  );
  for (const [name] of entries) assertAttributeName(name);
  return entries;
}

function isInteger(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= INT32_MIN && (value as number) <= INT32_MAX;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  if (typeof value === "number" || typeof value === "bigint") return `the number ${value}`;
  if (value === null) return "null";
  return typeof value === "object" ? "an object" : `a value of type ${typeof value}`;
}

function invalidType(name: string, value: unknown): BindingError {
  const types = "string, boolean, 32-bit integer, binary, timestamp";
  return new BindingError(
    "INVALID_ATTRIBUTE",
    `attribute "${name}" is ${describe(value)}, which is not a CloudEvents type (${types})`,
  );
}

function timestampString(name: string, value: Date): string {
  if (Number.isNaN(value.getTime())) {
    throw new BindingError("INVALID_ATTRIBUTE", `attribute "${name}" is an invalid Date`);
  }
  return value.toISOString();
}

function base64(view: ArrayBufferView): string {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString("base64");
}

function codePointOf(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * Longer than any real URI or extension value. A result carries its trigger's id in its `ce-causeid`
 * header, and JetStream refuses header blocks over 64 KiB, so an unbounded value would be retried to
 * the dead-letter stream rather than refused at once.
 */
export const MAX_ATTRIBUTE_LENGTH = 4096;

/**
 * The identity of an event, tighter: id and source are stored in every outcome record, log line,
 * dead letter and result (`causeid`) and typed by operators (`icnctl events get <id>`); a UUID is
 * 36 characters, a URL source rarely past a few hundred. Nats-Msg-Id and outcome keys hash them,
 * so no key grows with them.
 */
export const ATTRIBUTE_LENGTH_LIMITS: ReadonlyMap<string, number> = new Map([
  ["id", 256],
  ["source", 1024],
]);

/** A Map, not an object: a name such as "constructor" must not find a prototype member instead of a limit. */
export function maxLengthOf(name: string): number {
  return ATTRIBUTE_LENGTH_LIMITS.get(name) ?? MAX_ATTRIBUTE_LENGTH;
}

/** Checked both ways, so whatever one end accepts the other can send. */
export function assertStringValue(name: string, value: string): void {
  const limit = maxLengthOf(name);
  if (value.length > limit) {
    throw new BindingError(
      "ATTRIBUTE_TOO_LONG",
      `attribute "${name}" is ${value.length} characters long; the limit is ${limit}`,
    );
  }
  const bad = DISALLOWED_IN_STRING.exec(value);
  if (bad) {
    const why = "CloudEvents strings may not contain controls, noncharacters or unpaired surrogates";
    throw new BindingError(
      "INVALID_ATTRIBUTE",
      `attribute "${name}" contains ${codePointOf(bad[0])}: ${why}`,
    );
  }
}

/** The canonical string form (spec §"Type System") that binary mode puts in a header. */
export function canonicalString(name: string, value: unknown): string {
  if (typeof value === "string") {
    assertStringValue(name, value);
    return value;
  }
  if (typeof value === "boolean") return value ? "true" : "false";
  if (isInteger(value)) return String(value);
  if (value instanceof Date) return timestampString(name, value);
  if (ArrayBuffer.isView(value)) return base64(value);
  throw invalidType(name, value);
}

/** The JSON event format keeps booleans and integers as JSON values; every other type as its string form. */
export function jsonAttributeValue(name: string, value: unknown): string | number | boolean {
  if (typeof value === "boolean" || isInteger(value)) return value;
  return canonicalString(name, value);
}

/**
 * The SDK accepts objects, arrays and any number as extension values; the spec's type system does not,
 * and binary mode could not carry them, so they are refused on the way in too.
 */
export function assertExtensionValue(name: string, value: unknown): void {
  if (typeof value === "string" || typeof value === "boolean" || isInteger(value)) return;
  throw invalidType(name, value);
}
