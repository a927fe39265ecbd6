// Where the binding meets nats.js: its header record as MsgHdrs, and a received nats.js message as a CloudEvent.
import { headers } from "@nats-io/transport-node";
import type { MsgHdrs } from "@nats-io/transport-node";
import type { CloudEvent } from "cloudevents";
import { toEventFrom, type ToEventOptions } from "./nats-binding.ts";
import { parseHeaderBlock, rawHeaderBlock } from "./nats-header-block.ts";
import { addLowerCased } from "./nats-message.ts";

export function toNatsHeaders(record: Readonly<Record<string, string>>): MsgHdrs {
  const hdrs = headers();
  for (const [name, value] of Object.entries(record)) hdrs.set(name, value);
  return hdrs;
}

/**
 * NatsBinding.toEvent() for a nats.js message, with no header record built in between. A CloudEvents
 * attribute has one value, so a repeated header keeps its first, as MsgHdrs.get() and the Go SDK do;
 * names are compared case-insensitively. `headers`, when given, are this message's, already read by
 * natsMsgHeaders().
 */
export function natsMsgToEvent(
  msg: ReceivedMsg,
  options?: ToEventOptions,
  headers?: ReadonlyMap<string, string>,
): CloudEvent<unknown> {
  return toEventFrom(() => headers ?? natsMsgHeaders(msg), msg.data, options);
}

type ReceivedMsg = { readonly headers?: MsgHdrs; readonly data: Uint8Array };

/** A received message's headers, names lower-cased, each with its first value. */
export function natsMsgHeaders(msg: ReceivedMsg): Map<string, string> {
  const block = rawHeaderBlock(msg);
  return block ? parseHeaderBlock(block) : lowerCasedNatsHeaders(msg.headers);
}

export function lowerCasedNatsHeaders(hdrs: MsgHdrs | undefined): Map<string, string> {
  const lowered = new Map<string, string>();
  for (const [name, values] of hdrs ?? []) {
    const first = values[0];
    if (first !== undefined) addLowerCased(lowered, name, first);
  }
  return lowered;
}
