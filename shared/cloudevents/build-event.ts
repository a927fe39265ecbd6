// Turns decoded attributes and data into a validated, frozen SDK CloudEvent, or a BindingError saying why not.
import { CloudEvent, ValidationError } from "cloudevents";
import { BindingError } from "./binding-error.ts";
import {
  CONTEXT_ATTRIBUTES,
  assertAttributeName,
  assertExtensionValue,
  assertStringValue,
} from "./event-attributes.ts";

const REQUIRED_ATTRIBUTES = ["id", "source", "type"] as const;
const SUPPORTED_SPECVERSION = "1.0";

/** The SDK quietly replaces a falsy id with a fresh UUID and specversion with "1.0", so check them first. */
function requireString(attributes: ReadonlyMap<string, unknown>, name: string): string {
  const value = attributes.get(name);
  if (value === undefined) {
    throw new BindingError("MISSING_ATTRIBUTE", `required attribute "${name}" is missing`);
  }
  if (typeof value !== "string" || value === "") {
    throw new BindingError("INVALID_ATTRIBUTE", `attribute "${name}" must be a non-empty string`);
  }
  return value;
}

function checkSpecVersion(attributes: ReadonlyMap<string, unknown>): void {
  const specversion = requireString(attributes, "specversion");
  if (specversion !== SUPPORTED_SPECVERSION) {
    throw new BindingError(
      "UNSUPPORTED_SPECVERSION",
      `specversion "${specversion}" is not supported; only "${SUPPORTED_SPECVERSION}" is`,
    );
  }
}

/**
 * The SDK replaces a falsy time with "now", and its toJSON() throws on times Date cannot represent (such
 * as leap seconds), so a time must be a string Date can parse; the SDK then checks it is RFC 3339.
 */
function checkTime(attributes: ReadonlyMap<string, unknown>): void {
  const time = attributes.get("time");
  if (time === undefined) return;
  if (typeof time !== "string" || Number.isNaN(Date.parse(time))) {
    throw new BindingError(
      "INVALID_ATTRIBUTE",
      `attribute "time" is ${JSON.stringify(time)}, not a timestamp`,
    );
  }
}

function checkNamesAndValues(attributes: ReadonlyMap<string, unknown>): void {
  for (const [name, value] of attributes) {
    assertAttributeName(name);
    if (typeof value === "string") assertStringValue(name, value);
    else if (!CONTEXT_ATTRIBUTES.has(name)) assertExtensionValue(name, value);
  }
}

function describeReason(reason: unknown): string {
  if (typeof reason !== "object" || reason === null) return String(reason);
  const { instancePath, message } = reason as { instancePath?: string; message?: string };
  return `${instancePath?.replace(/^\//, "") || "event"} ${message ?? JSON.stringify(reason)}`;
}

/** Keeps the SDK's own reasons (ajv's per-attribute messages) rather than its generic "invalid payload". */
function fromSdkError(err: unknown): BindingError {
  const reasons =
    err instanceof ValidationError && err.errors?.length
      ? err.errors.map(describeReason)
      : [err instanceof Error ? err.message : String(err)];
  const message = `the CloudEvents SDK rejected the event: ${reasons.join("; ")}`;
  return new BindingError("INVALID_ATTRIBUTE", message, { cause: err });
}

/**
 * Validates once, here; the SDK freezes the event, so it stays valid. Data is read only after the
 * attributes pass, so a 0.3 event is reported as an unsupported specversion, not as whatever its data fails.
 */
export function buildEvent(
  attributes: ReadonlyMap<string, unknown>,
  readData: () => unknown,
): CloudEvent<unknown> {
  checkSpecVersion(attributes);
  for (const name of REQUIRED_ATTRIBUTES) requireString(attributes, name);
  checkTime(attributes);
  checkNamesAndValues(attributes);
  const data = readData();
  // The checks above establish what the SDK's input type promises; the SDK validates the rest.
  const fields: Record<string, unknown> = {};
  for (const [name, value] of attributes) fields[name] = value; // names checked above: no "__proto__"
  fields.data = data;
  try {
    return new CloudEvent<unknown>(fields, true);
  } catch (err) {
    throw fromSdkError(err);
  }
}
