// Building and publishing CloudEvents on the bus: subjects, stable ids, Nats-Msg-Id for de-duplication.
import { hash } from "node:crypto";
import { CloudEvent } from "cloudevents";
import type { JetStreamClient, PubAck } from "@nats-io/jetstream";
import { EVENTS, eventNameOfType, subjectOf, type EventName } from "../schemas/events.ts";
import { NatsBinding, natsMsgId } from "./cloudevents/nats-binding.ts";
import { toNatsHeaders } from "./cloudevents/nats-headers.ts";

/** A UUID-shaped id derived from its parts: the same inputs give the same id, so repeats dedupe. */
export function stableId(...parts: string[]): string {
  const hex = hash("sha256", parts.join("\u0000"), "hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export interface NewEvent<N extends EventName> {
  name: N;
  source: string;
  data: unknown;
  id?: string;
  extensions?: Record<string, string>;
}

export function newEvent<N extends EventName>(spec: NewEvent<N>): CloudEvent<unknown> {
  return new CloudEvent<unknown>({
    specversion: "1.0",
    id: spec.id ?? crypto.randomUUID(),
    source: spec.source,
    type: EVENTS[spec.name].type,
    time: new Date().toISOString(),
    datacontenttype: "application/json",
    data: spec.data,
    ...spec.extensions,
  });
}

/** The subject an event travels on: `<prefix>.<name>`, or a function's own replay subject. */
export function subjectFor(prefix: string, event: CloudEvent<unknown>, replayTo?: string): string {
  const name = eventNameOfType(event.type);
  if (!name) throw new Error(`unknown event type "${event.type}"`);
  return replayTo ? replaySubject(prefix, replayTo, name) : subjectOf(prefix, name);
}

/** Replays and redrives reach one function only: its consumer alone filters on this subject. */
export function replaySubject(prefix: string, fn: string, name: string): string {
  return `${prefix}._replay.${fn}.${name}`;
}

export interface PublishOptions {
  mode?: "binary" | "structured";
  replayTo?: string;
  /** Extra NATS headers (for instance the replay id); never ce- attributes. */
  headers?: Record<string, string>;
  msgId?: string;
}

export async function publishEvent(
  js: JetStreamClient,
  prefix: string,
  event: CloudEvent<unknown>,
  options: PublishOptions = {},
): Promise<PubAck> {
  const message = options.mode === "structured" ? NatsBinding.structured(event) : NatsBinding.binary(event);
  const hdrs = toNatsHeaders({ ...message.headers, ...options.headers });
  hdrs.set("Nats-Msg-Id", options.msgId ?? natsMsgId(event));
  return js.publish(subjectFor(prefix, event, options.replayTo), message.payload, { headers: hdrs });
}
