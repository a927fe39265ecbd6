// The three loops the runtime benchmark compares, each with a durable consumer of its own on one stream
// filled per round: the contract floor (a raw JetStream loop doing the host's durable work), the host
// running a no-op function, and the bare consume-and-ack loop.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  jetstream,
  jetstreamManager,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import type { RuntimeConfig } from "../../shared/config.ts";
import { newEvent, publishEvent } from "../../shared/events.ts";
import { OUTCOME_HISTORY, OUTCOME_RETENTION_MS, type Outcome } from "../../shared/host/outcomes.ts";
import { ensureStreams } from "../../shared/host/streams.ts";
import { imageNodeFlags } from "../harness/image.ts";
import { benchConfig } from "./support.ts";

/** The no-op host's concurrency (noop-host.js reads the same variable); the floor keeps as many in flight. */
export const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 128);

export const configFor = (natsUrl: string, tag: string): RuntimeConfig =>
  benchConfig(natsUrl, tag, { attempts: 3, backoffMs: [100] });

const benchEvent = (i: number): ReturnType<typeof newEvent> =>
  newEvent({ name: "node.joined", source: "urn:bench", data: { node: `node-${i}` } });

/** A fresh stream with `count` messages waiting in it (not timed), for the three loops of one round. */
export async function filled(nc: NatsConnection, natsUrl: string, count: number): Promise<RuntimeConfig> {
  const config = configFor(natsUrl, "rt");
  await ensureStreams(await jetstreamManager(nc), config);
  const js: JetStreamClient = jetstream(nc);
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) {
    pending.push(publishEvent(js, config.prefix, benchEvent(i)));
    if (pending.length >= 500) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
  return config;
}

/** Every message acknowledged: nothing pending, nothing in flight. All three loops are timed to this. */
async function drained(
  jsm: JetStreamManager,
  stream: string,
  consumer: string,
  count: number,
): Promise<void> {
  for (;;) {
    const info = await jsm.consumers.info(stream, consumer).catch(() => undefined);
    if (info && info.num_pending === 0 && info.num_ack_pending === 0 && info.delivered.stream_seq >= count)
      return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function durable(nc: NatsConnection, config: RuntimeConfig, name: string): Promise<JetStreamManager> {
  const jsm = await jetstreamManager(nc);
  await jsm.consumers.add(config.eventsStream, {
    durable_name: name,
    ack_policy: "explicit",
    filter_subject: `${config.prefix}.node.joined`,
  });
  return jsm;
}

/** The bare loop: what JetStream alone costs to deliver and ack these messages. */
export async function bareLoop(nc: NatsConnection, config: RuntimeConfig, count: number): Promise<number> {
  const jsm = await durable(nc, config, "bare");
  const consumer = await jetstream(nc).consumers.get(config.eventsStream, "bare");
  const started = performance.now();
  let seen = 0;
  const messages = await consumer.consume({ max_messages: 16 });
  for await (const msg of messages) {
    msg.ack();
    if (++seen === count) break;
  }
  await drained(jsm, config.eventsStream, "bare", count);
  const elapsed = (performance.now() - started) / 1000;
  await messages.close();
  return count / elapsed;
}

/**
 * A record of the same size as the host's `succeeded` outcome for these messages (same key length,
 * same JSON): built once, as the floor is the durable write alone, not the work of composing it.
 */
function outcomeSized(): { payload: string; keyOf: (seq: number) => string } {
  const event = benchEvent(0);
  const outcome: Outcome = {
    event: { id: event.id, source: event.source, type: event.type },
    function: "noop",
    attempts: 1,
    results: [],
    replay: false,
    state: "succeeded",
    updatedAt: new Date().toISOString(),
  };
  const digestSized = (n: number): string => n.toString(16).padStart(20, "0"); // the host's keys: 20 hex
  return { payload: JSON.stringify(outcome), keyOf: (seq) => `${digestSized(seq)}.${digestSized(0)}.noop` };
}

/**
 * The contract floor: per message, one KV record of the outcome's size, stored (PubAck awaited) before
 * the message is acked; as many in flight and pulled as the host. Only @nats-io/jetstream's own calls.
 */
export async function floorLoop(nc: NatsConnection, config: RuntimeConfig, count: number): Promise<number> {
  // A bucket of its own (the host's fills the round's other one), made with the host's settings
  // (outcomes.ts) so the records are stored the same way; named by a config so it is removed after.
  const bucket = configFor(config.natsUrl, "floor").outcomesBucket;
  await new Kvm(nc).create(bucket, { history: OUTCOME_HISTORY, ttl: OUTCOME_RETENTION_MS });
  const jsm = await durable(nc, config, "floor");
  const js = jetstream(nc);
  const consumer = await js.consumers.get(config.eventsStream, "floor");
  const { payload, keyOf } = outcomeSized();
  let inFlight = 0;
  let failure: Error | undefined;
  let wake: () => void = () => {};
  const settle = (msg: JsMsg): Promise<void> =>
    js
      .publish(`$KV.${bucket}.${keyOf(msg.seq)}`, payload)
      .then(() => msg.ack())
      .catch((err: unknown) => void (failure ??= new Error("a record was not stored", { cause: err })))
      .finally(() => {
        inFlight--;
        wake();
      });
  const started = performance.now();
  let seen = 0;
  const messages = await consumer.consume({ max_messages: Math.max(CONCURRENCY * 2, 4) });
  for await (const msg of messages) {
    while (inFlight >= CONCURRENCY) await new Promise<void>((resolve) => (wake = resolve));
    inFlight++;
    void settle(msg);
    if (++seen === count) break;
  }
  await drained(jsm, config.eventsStream, "floor", count);
  const elapsed = (performance.now() - started) / 1000;
  await messages.close();
  if (failure) throw failure;
  return count / elapsed;
}

/** The same messages through a host process running a no-op function; also its peak RSS. */
export async function hostLoop(
  nc: NatsConnection,
  config: RuntimeConfig,
  count: number,
): Promise<{ perSecond: number; peakRssMb: number }> {
  const host = spawn(process.execPath, [...imageNodeFlags(), join(import.meta.dirname, "noop-host.js")], {
    env: {
      ...process.env,
      NATS_URL: config.natsUrl,
      ICN_SUBJECT_PREFIX: config.prefix,
      ICN_HTTP_PORT: "0",
      ICN_LOG_LEVEL: "info",
      BENCH_CONCURRENCY: String(CONCURRENCY),
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    // Timed from the host's "ready" (its consumer has just started), as the baselines are timed from
    // their consumers existing: process start and module loading are not part of the throughput.
    await new Promise<void>((resolve, reject) => {
      host.stdout.on("data", (chunk: Buffer) =>
        chunk.toString().includes('"host ready"') ? resolve() : undefined,
      );
      host.once("exit", (code) => reject(new Error(`the host exited (${code}) before it was ready`)));
    });
    const started = performance.now();
    await drained(await jetstreamManager(nc), config.eventsStream, "noop", count);
    const perSecond = count / ((performance.now() - started) / 1000);
    return { perSecond, peakRssMb: peakRssMb(host.pid ?? 0) };
  } finally {
    // Gone before the next loop starts, so its shutdown does not load the next measurement.
    const exited = host.exitCode === null ? once(host, "exit") : Promise.resolve();
    host.kill("SIGTERM");
    await exited;
  }
}

/** The kernel's high-water mark of the process's resident memory. */
function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}
