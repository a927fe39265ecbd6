// Binary content mode (NATS binding §3.1): attributes in percent-encoded ce- headers, data as the payload.
import type { CloudEvent, CloudEventV1 } from "cloudevents";
import { buildEvent } from "./build-event.ts";
import { attributeEntries, canonicalString } from "./event-attributes.ts";
import { decodeData, encodeData } from "./event-data.ts";
import { CE_HEADER_PREFIX } from "./nats-message.ts";
import type { NatsMessage } from "./nats-message.ts";
import { percentDecode, percentEncode } from "./percent.ts";

const DATACONTENTTYPE = "datacontenttype";

export function toBinary(event: CloudEventV1<unknown>): NatsMessage {
  const { bytes, contentType } = encodeData(event.data, event.datacontenttype);
  const headers: Record<string, string> = {};
  for (const [name, value] of attributeEntries(event)) {
    headers[`${CE_HEADER_PREFIX}${name}`] = percentEncode(canonicalString(name, value));
  }
  // Unlike HTTP, the NATS binding has no Content-Type mapping: datacontenttype is a ce- header like the rest.
  if (contentType !== undefined) {
    headers[`${CE_HEADER_PREFIX}${DATACONTENTTYPE}`] = percentEncode(contentType);
  }
  return { headers, payload: bytes };
}

/** `headers` are already lower-cased; every ce- header is an attribute, every other header is transport. */
export function fromBinary(headers: ReadonlyMap<string, string>, payload: Uint8Array): CloudEvent<unknown> {
  const attributes = new Map<string, unknown>();
  for (const [name, value] of headers) {
    if (!name.startsWith(CE_HEADER_PREFIX)) continue;
    attributes.set(name.slice(CE_HEADER_PREFIX.length), percentDecode(value, name));
  }
  // The Go SDK's reader falls back to a plain Content-Type header when ce-datacontenttype is absent.
  const contentType = headers.get("content-type");
  if (!attributes.has(DATACONTENTTYPE) && contentType !== undefined) {
    attributes.set(DATACONTENTTYPE, contentType);
  }
  const declared = attributes.get(DATACONTENTTYPE);
  const declaredType = typeof declared === "string" ? declared : undefined;
  return buildEvent(attributes, () => decodeData(payload, declaredType));
}
