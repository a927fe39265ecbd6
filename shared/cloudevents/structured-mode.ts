// Structured content mode (NATS binding §3.2): the whole event, in the JSON event format, as the payload.
import type { CloudEvent, CloudEventV1 } from "cloudevents";
import { BindingError } from "./binding-error.ts";
import { buildEvent } from "./build-event.ts";
import { attributeEntries, jsonAttributeValue } from "./event-attributes.ts";
import { asBytes, isJsonContentType, toJson } from "./event-data.ts";
import { CONTENT_TYPE_HEADER, STRUCTURED_JSON_TYPE } from "./nats-message.ts";
import type { NatsMessage } from "./nats-message.ts";

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
const DATA_MEMBERS = new Set(["data", "data_base64"]);
// RFC 4648 with padding and nothing else: Buffer.from(…, "base64") would silently skip stray characters.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** JSON format §3.1: binary data goes in data_base64, JSON data as a JSON value, other data as a string. */
function dataMembers(data: unknown, contentType: string | undefined): Record<string, unknown> {
  if (data === undefined) return {};
  const bytes = asBytes(data);
  if (bytes) return { data_base64: Buffer.from(bytes).toString("base64") };
  if (isJsonContentType(contentType) || typeof data === "string") return { data };
  throw new BindingError(
    "INVALID_DATA",
    `data is ${typeof data} but datacontenttype "${contentType}" is neither JSON nor binary`,
  );
}

export function toStructured(event: CloudEventV1<unknown>): NatsMessage {
  const document: Record<string, unknown> = {};
  for (const [name, value] of attributeEntries(event)) document[name] = jsonAttributeValue(name, value);
  // Written here rather than by the SDK's toJSON(), which rewrites time to millisecond precision in UTC.
  Object.assign(document, dataMembers(event.data, event.datacontenttype));
  return { headers: { [CONTENT_TYPE_HEADER]: STRUCTURED_JSON_TYPE }, payload: utf8.encode(toJson(document)) };
}

function parseDocument(payload: Uint8Array): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(strictUtf8.decode(payload));
  } catch (cause) {
    const message = `structured payload is not UTF-8 JSON: ${String(cause)}`;
    throw new BindingError("INVALID_JSON", message, { cause });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    const got = Array.isArray(parsed) ? "an array" : JSON.stringify(parsed);
    throw new BindingError("INVALID_JSON", `structured payload must be a JSON object, not ${got}`);
  }
  return parsed as Record<string, unknown>;
}

function decodeBase64(value: unknown): Uint8Array {
  if (typeof value !== "string" || !BASE64.test(value)) {
    throw new BindingError("INVALID_DATA", "data_base64 is not a padded RFC 4648 base64 string");
  }
  return new Uint8Array(Buffer.from(value, "base64"));
}

/** JSON format §3.1: data is a JSON value only under a JSON datacontenttype; under any other it is a string. */
function readData(document: Record<string, unknown>): unknown {
  const hasBase64 = Object.hasOwn(document, "data_base64");
  if (hasBase64 && Object.hasOwn(document, "data")) {
    throw new BindingError("INVALID_DATA", "structured event has both data and data_base64");
  }
  if (hasBase64) return decodeBase64(document.data_base64);
  const { data, datacontenttype } = document;
  const contentType = typeof datacontenttype === "string" ? datacontenttype : undefined;
  if (data !== undefined && typeof data !== "string" && !isJsonContentType(contentType)) {
    throw new BindingError(
      "INVALID_DATA",
      `data under non-JSON datacontenttype "${contentType}" must be a string`,
    );
  }
  return data;
}

export function fromStructured(payload: Uint8Array): CloudEvent<unknown> {
  const document = parseDocument(payload);
  // JSON event format: an attribute whose value is null MUST be treated as unset.
  const attributes = new Map(
    Object.entries(document).filter(([name, value]) => value !== null && !DATA_MEMBERS.has(name)),
  );
  return buildEvent(attributes, () => readData(document));
}
