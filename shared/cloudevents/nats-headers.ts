// Converts between the binding's plain header record and nats.js MsgHdrs: the one place that knows both.
import { headers } from "@nats-io/transport-node";
import type { MsgHdrs } from "@nats-io/transport-node";
import type { CloudEvent } from "cloudevents";
import { toEventFrom, type ToEventOptions } from "./nats-binding.ts";
import { addLowerCased } from "./nats-message.ts";

export function toNatsHeaders(record: Readonly<Record<string, string>>): MsgHdrs {
  const hdrs = headers();
  for (const [name, value] of Object.entries(record)) hdrs.set(name, value);
  return hdrs;
}

/**
 * A CloudEvents attribute has one value, so a repeated header keeps its first value, as MsgHdrs.get()
 * and the Go SDK do. Name spellings are kept; the binding compares them case-insensitively.
 */
export function fromNatsHeaders(hdrs: MsgHdrs | undefined): Record<string, string> {
  // No prototype, so a header called "__proto__" is just a header.
  const record: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, values] of hdrs ?? []) {
    const first = values[0];
    if (first !== undefined) record[name] = first;
  }
  return record;
}

/** NatsBinding.toEvent() for a nats.js message, with no header record built in between. */
export function natsMsgToEvent(
  msg: { headers?: MsgHdrs; data: Uint8Array },
  options?: ToEventOptions,
): CloudEvent<unknown> {
  return toEventFrom(() => lowerCasedNatsHeaders(msg.headers), msg.data, options);
}

function lowerCasedNatsHeaders(hdrs: MsgHdrs | undefined): Map<string, string> {
  const lowered = new Map<string, string>();
  for (const [name, values] of hdrs ?? []) {
    const first = values[0];
    if (first !== undefined) addLowerCased(lowered, name, first);
  }
  return lowered;
}
