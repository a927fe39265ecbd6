// The transport-independent NATS message the binding reads and writes, and how its headers are looked up.
import { BindingError } from "./binding-error.ts";

/**
 * A NATS message as plain data, so the binding needs no connection and tests need no server;
 * `nats-headers.ts` converts the headers to and from nats.js `MsgHdrs`.
 */
export interface NatsMessage {
  readonly headers: Readonly<Record<string, string>>;
  readonly payload: Uint8Array;
}

export const CE_HEADER_PREFIX = "ce-";
export const CONTENT_TYPE_HEADER = "Content-Type";
export const STRUCTURED_JSON_TYPE = "application/cloudevents+json";
/** Any `application/cloudevents…` Content-Type marks structured mode, whatever the format after it. */
export const STRUCTURED_TYPE_PREFIX = "application/cloudevents";

/**
 * Header names are case-insensitive (NATS ADR-4), so receivers look them up lower-cased. Two spellings of
 * one name with different values are ambiguous, and guessing which one the sender meant is unsafe.
 */
export function lowerCaseHeaders(headers: Readonly<Record<string, string>>): Map<string, string> {
  const lowered = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) addLowerCased(lowered, name, value);
  return lowered;
}

export function addLowerCased(lowered: Map<string, string>, name: string, value: string): void {
  const key = name.toLowerCase();
  const seen = lowered.get(key);
  if (seen !== undefined && seen !== value) {
    throw new BindingError("INVALID_ATTRIBUTE", `header "${key}" appears twice with different values`);
  }
  lowered.set(key, value);
}
