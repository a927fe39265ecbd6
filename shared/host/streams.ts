// The event stream, the dead-letter stream and one durable consumer per function: their settings, made (or checked) idempotently.
import {
  AckPolicy,
  DeliverPolicy,
  StorageType,
  type JetStreamManager,
  type ConsumerConfig,
} from "@nats-io/jetstream";
import type { RuntimeConfig } from "../config.ts";
import { subjectOf } from "../../schemas/events.ts";
import type { AnyFunction } from "../function.ts";
import { readIfPresent, reconcile, type Action } from "./reconcile.ts";

export const NANOS_PER_MS = 1_000_000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** A dead letter can be redriven for this long; outcome records are kept as long (outcomes.ts). */
export const DEAD_LETTER_RETENTION_MS = 30 * DAY_MS;

export function deadLetterSubject(config: RuntimeConfig, fn: string): string {
  return `dlq.${config.prefix}.${fn}`;
}

export type StreamSettings = Parameters<JetStreamManager["streams"]["add"]>[0];

/** Every stream a component needs, by name, with the settings it must have. */
export function streamSettings(config: RuntimeConfig): Map<string, StreamSettings> {
  const replicas = config.streamReplicas ?? 1;
  return new Map([
    [
      config.eventsStream,
      {
        name: config.eventsStream,
        subjects: [`${config.prefix}.>`],
        storage: StorageType.File,
        num_replicas: replicas,
        duplicate_window: config.duplicateWindowMs * NANOS_PER_MS,
        max_age: 7 * DAY_MS * NANOS_PER_MS,
        // The hard ceiling; the host's own (smaller) limit dead-letters with a reason instead.
        max_msg_size: 1024 * 1024,
      },
    ],
    [
      config.deadLetterStream,
      {
        name: config.deadLetterStream,
        subjects: [`dlq.${config.prefix}.>`],
        storage: StorageType.File,
        num_replicas: replicas,
        max_age: DEAD_LETTER_RETENTION_MS * NANOS_PER_MS,
      },
    ],
  ]);
}

export interface WantedStream {
  name: string;
  settings: Partial<StreamSettings>;
  /** How to make it when missing; by default a stream with exactly these settings. */
  create?: () => Promise<unknown>;
}

/** One stream: created or updated where `config.provisioning` allows, checked where it does not. */
export function ensureStream(
  jsm: JetStreamManager,
  config: RuntimeConfig,
  stream: WantedStream,
): Promise<Action> {
  const { name, settings } = stream;
  return reconcile(
    {
      what: `stream ${name}`,
      wanted: settings,
      read: () => readIfPresent(async () => (await jsm.streams.info(name)).config),
      create: stream.create ?? (() => jsm.streams.add({ ...(settings as StreamSettings), name })),
      update: () => jsm.streams.update(name, settings),
    },
    config.provisioning,
  );
}

/** The events and dead-letter streams (what the watchers and the ingress check at start, too). */
export async function ensureStreams(
  jsm: JetStreamManager,
  config: RuntimeConfig,
): Promise<{ name: string; action: Action }[]> {
  const done = [];
  for (const [name, settings] of streamSettings(config))
    done.push({ name, action: await ensureStream(jsm, config, { name, settings }) });
  return done;
}

export function consumerConfig(
  config: RuntimeConfig,
  fn: AnyFunction,
): Partial<ConsumerConfig> & { durable_name: string } {
  return {
    durable_name: fn.name,
    description: `icn function ${fn.name} (${fn.on})`,
    filter_subjects: [subjectOf(config.prefix, fn.on), `${config.prefix}._replay.${fn.name}.>`],
    ack_policy: AckPolicy.Explicit,
    // A function deployed later still sees the backlog; handlers are idempotent.
    deliver_policy: DeliverPolicy.All,
    ack_wait: config.ackWaitMs * NANOS_PER_MS,
    // The host, not the server, decides when to give up, so a message is never dropped
    // silently: past the attempts it goes to the dead-letter stream.
    max_deliver: -1,
    max_ack_pending: 1000,
  };
}

/** A function's durable consumer: its filter is what confines the function to its own events. */
export function ensureConsumer(
  jsm: JetStreamManager,
  config: RuntimeConfig,
  fn: AnyFunction,
): Promise<Action> {
  return ensureDurable(jsm, config, consumerConfig(config, fn));
}

/** Any durable consumer on the events stream (a function's, a webhook's), made or checked alike. */
export function ensureDurable(
  jsm: JetStreamManager,
  config: RuntimeConfig,
  wanted: Partial<ConsumerConfig> & { durable_name: string },
): Promise<Action> {
  const stream = config.eventsStream;
  const name = wanted.durable_name;
  return reconcile(
    {
      what: `consumer ${name} on ${stream}`,
      wanted,
      read: () => readIfPresent(async () => (await jsm.consumers.info(stream, name)).config),
      create: () => jsm.consumers.add(stream, wanted),
      update: () => jsm.consumers.update(stream, name, wanted),
    },
    config.provisioning,
  );
}
