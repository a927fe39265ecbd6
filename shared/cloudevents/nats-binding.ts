// The CloudEvents NATS protocol binding, shaped like the SDK's HTTP/Kafka/MQTT bindings: four functions.
import { hash } from "node:crypto";
import type { CloudEvent, CloudEventV1 } from "cloudevents";
import { fromBinary, toBinary } from "./binary-mode.ts";
import { BindingError } from "./binding-error.ts";
import { mediaType } from "./event-data.ts";
import { lowerCaseHeaders, readHeaders } from "./nats-headers.ts";
import { STRUCTURED_JSON_TYPE, STRUCTURED_TYPE_PREFIX } from "./nats-message.ts";
import type { NatsMessage } from "./nats-message.ts";
import { fromStructured, toStructured } from "./structured-mode.ts";

export { BindingError, BINDING_ERROR_CODES, isBindingError } from "./binding-error.ts";
export type { BindingErrorCode } from "./binding-error.ts";
export type { NatsMessage } from "./nats-message.ts";

export interface ToEventOptions {
  /** Refuse payloads larger than this many bytes before parsing anything. */
  readonly maxBytes?: number;
}

type Mode = "structured" | "binary";

/** A JSON object payload with no Content-Type and no ce- headers at all. */
function isHeaderlessJsonObject(headers: ReadonlyMap<string, string>, payload: Uint8Array): boolean {
  if (headers.has("content-type") || [...headers.keys()].some((k) => k.startsWith("ce-"))) return false;
  const first = payload.find((byte) => byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d);
  return first === 0x7b; // "{"
}

/**
 * §3: a Content-Type of `application/cloudevents…` means structured, whatever ce- headers ride along;
 * otherwise a ce-specversion header means binary. A bare JSON object with no headers at all is
 * structured too: binding v1.0.2 had no headers, and the Go SDK still sends structured mode that way.
 * Anything else is not ours to guess at.
 */
function detectMode(headers: ReadonlyMap<string, string>, payload: Uint8Array = new Uint8Array()): Mode {
  const type = mediaType(headers.get("content-type"));
  if (type === STRUCTURED_JSON_TYPE) return "structured";
  if (type?.startsWith(STRUCTURED_TYPE_PREFIX)) {
    throw new BindingError(
      "UNSUPPORTED_FORMAT",
      `structured event format "${type}" is not supported; only JSON is`,
    );
  }
  if (headers.has("ce-specversion")) return "binary";
  if (isHeaderlessJsonObject(headers, payload)) return "structured";
  throw new BindingError(
    "NOT_A_CLOUDEVENT",
    `no CloudEvent: Content-Type is not "${STRUCTURED_JSON_TYPE}" and there is no ce-specversion header`,
  );
}

function checkSize(payload: Uint8Array, maxBytes: number | undefined): void {
  if (maxBytes !== undefined && payload.byteLength > maxBytes) {
    throw new BindingError(
      "PAYLOAD_TOO_LARGE",
      `payload is ${payload.byteLength} bytes; the limit is ${maxBytes}`,
    );
  }
}

function toEvent(message: NatsMessage, options: ToEventOptions = {}): CloudEvent<unknown> {
  return eventFrom(lowerCaseHeaders(message.headers), message.payload, options);
}

/**
 * toEvent() for a receiver that has read its headers already (names lower-cased, each with its first
 * value: see nats-headers.ts), so they are read once per message.
 */
export function eventFrom(
  headers: ReadonlyMap<string, string>,
  payload: Uint8Array,
  options: ToEventOptions = {},
): CloudEvent<unknown> {
  checkSize(payload, options.maxBytes);
  return detectMode(headers, payload) === "structured"
    ? fromStructured(payload)
    : fromBinary(headers, payload);
}

/** toEvent() for a message nats.js received, read without building its MsgHdrs record. */
export function natsMsgToEvent(
  msg: Parameters<typeof readHeaders>[0],
  options?: ToEventOptions,
): CloudEvent<unknown> {
  return eventFrom(readHeaders(msg), msg.data, options);
}

/** Whether the message claims to be a CloudEvent in a mode we read; toEvent() still validates it. */
function isEvent(message: NatsMessage): boolean {
  try {
    detectMode(lowerCaseHeaders(message.headers), message.payload);
    return true;
  } catch {
    return false;
  }
}

export const NatsBinding: {
  readonly binary: (event: CloudEventV1<unknown>) => NatsMessage;
  readonly structured: (event: CloudEventV1<unknown>) => NatsMessage;
  readonly toEvent: (message: NatsMessage, options?: ToEventOptions) => CloudEvent<unknown>;
  readonly isEvent: (message: NatsMessage) => boolean;
} = Object.freeze({ binary: toBinary, structured: toStructured, toEvent, isEvent });

/**
 * The Nats-Msg-Id a publisher sets (nats.js: `js.publish(subject, payload, { msgID })`). JetStream drops a
 * second message with the same id inside the stream's duplicate window, so a re-emitted copy of one event
 * is stored once. CloudEvents says source + id identify an event, so both go in. Hashing keeps the header
 * short and header-safe; 128 bits make accidental collisions negligible; and the newline separator cannot
 * occur in a source (a URI-reference), so no two (source, id) pairs hash the same input.
 */
export function natsMsgId(event: Pick<CloudEventV1<unknown>, "source" | "id">): string {
  return hash("sha256", `${event.source}\n${event.id}`, "hex").slice(0, 32);
}
