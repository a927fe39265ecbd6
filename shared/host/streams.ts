// Idempotent provisioning of the event stream, the dead-letter stream and one durable consumer per function.
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

const NANOS_PER_MS = 1_000_000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** A dead letter can be redriven for this long; outcome records are kept as long (outcomes.ts). */
export const DEAD_LETTER_RETENTION_MS = 30 * DAY_MS;

export function deadLetterSubject(config: RuntimeConfig, fn: string): string {
  return `dlq.${config.prefix}.${fn}`;
}

type StreamSettings = Parameters<JetStreamManager["streams"]["add"]>[0];

/** True when the stream already has every setting we ask for. */
function hasSettings(current: object, wanted: StreamSettings): boolean {
  const have = current as Record<string, unknown>;
  return Object.entries(wanted).every(([key, value]) => JSON.stringify(have[key]) === JSON.stringify(value));
}

async function ensureStream(jsm: JetStreamManager, name: string, config: StreamSettings): Promise<void> {
  let current: object;
  try {
    current = (await jsm.streams.info(name)).config;
  } catch (err) {
    if (!/stream not found/i.test(String(err))) throw err;
    await jsm.streams.add({ ...config, name });
    return;
  }
  // Hosts start often (KEDA scales them from zero): an unchanged stream is not rewritten, so
  // in steady state a function's NATS user needs no right to change the shared streams.
  if (!hasSettings(current, config)) await jsm.streams.update(name, config);
}

export async function ensureStreams(jsm: JetStreamManager, config: RuntimeConfig): Promise<void> {
  await ensureStream(jsm, config.eventsStream, {
    name: config.eventsStream,
    subjects: [`${config.prefix}.>`],
    storage: StorageType.File,
    num_replicas: config.streamReplicas ?? 1,
    duplicate_window: config.duplicateWindowMs * NANOS_PER_MS,
    max_age: 7 * DAY_MS * NANOS_PER_MS,
    // The hard ceiling; the host's own (smaller) limit dead-letters with a reason instead.
    max_msg_size: 1024 * 1024,
  });
  await ensureStream(jsm, config.deadLetterStream, {
    name: config.deadLetterStream,
    subjects: [`dlq.${config.prefix}.>`],
    storage: StorageType.File,
    num_replicas: config.streamReplicas ?? 1,
    max_age: DEAD_LETTER_RETENTION_MS * NANOS_PER_MS,
  });
}

export function consumerConfig(config: RuntimeConfig, fn: AnyFunction): Partial<ConsumerConfig> {
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

export async function ensureConsumer(
  jsm: JetStreamManager,
  config: RuntimeConfig,
  fn: AnyFunction,
): Promise<void> {
  const wanted = consumerConfig(config, fn);
  try {
    await jsm.consumers.info(config.eventsStream, fn.name);
    await jsm.consumers.update(config.eventsStream, fn.name, wanted);
  } catch (err) {
    if (!/consumer not found/i.test(String(err))) throw err;
    await jsm.consumers.add(config.eventsStream, wanted);
  }
}
