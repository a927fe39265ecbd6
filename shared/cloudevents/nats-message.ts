// The transport-independent NATS message the binding reads and writes, and the header names it uses.
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
