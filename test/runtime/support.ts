// Shared pieces of the runtime tests: an isolated prefix per test, a side-effect log, waiting helpers.
import { jetstream, jetstreamManager, type JetStreamClient } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { RuntimeConfig } from "../../shared/config.ts";
import { namesFor } from "../../shared/config.ts";
import { kubeFromConfig, type Kube } from "../../shared/kube.ts";
import { createLogger } from "../../shared/logging.ts";
import type { AnyFunction } from "../../shared/function.ts";
import { startHost, type Host } from "../../shared/host/host.ts";
import type { Outcome, OutcomeState } from "../../shared/host/outcomes.ts";
import { kubeConfig, uniqueName } from "../harness/servers.ts";

/** A prefix of its own: streams, consumers and the outcome bucket are this test's alone. */
export function testConfig(overrides: Partial<RuntimeConfig> = {}): RuntimeConfig {
  const prefix = uniqueName("t").replace(/[^a-z0-9]/g, "");
  return {
    natsUrl: process.env.NATS_URL ?? "",
    prefix,
    ...namesFor(prefix),
    duplicateWindowMs: 60_000,
    maxPayloadBytes: 64 * 1024,
    ackWaitMs: 2_000,
    retry: { attempts: 4, backoffMs: [50] },
    httpPort: 0,
    source: "urn:icn-test",
    ...overrides,
  };
}

export async function startTestHost(
  nc: NatsConnection,
  config: RuntimeConfig,
  functions: AnyFunction[],
  /** The cluster as the functions see it; the admin's by default. */
  kube: Kube = kubeFromConfig(kubeConfig()),
): Promise<Host> {
  const log = createLogger("test-host", process.env.ICN_LOG_LEVEL ?? "silent");
  return startHost({ functions, nc, kube, config, log });
}

/** Where test handlers record each call they make, so a test can count real side effects. */
export class SideEffects {
  readonly subject: string;
  readonly #stream: string;
  readonly #js: JetStreamClient;
  readonly #nc: NatsConnection;

  private constructor(nc: NatsConnection, stream: string, subject: string) {
    this.#nc = nc;
    this.#js = jetstream(nc);
    this.#stream = stream;
    this.subject = subject;
  }

  static async create(nc: NatsConnection, config: RuntimeConfig): Promise<SideEffects> {
    const stream = `${config.eventsStream}_EFFECTS`;
    const subject = `effects.${config.prefix}`;
    await (await jetstreamManager(nc)).streams.add({ name: stream, subjects: [subject] });
    return new SideEffects(nc, stream, subject);
  }

  async record(entry: Record<string, unknown>): Promise<void> {
    await this.#js.publish(this.subject, JSON.stringify(entry));
  }

  async all(): Promise<Record<string, unknown>[]> {
    const messages = await streamMessages(this.#nc, this.#stream);
    return messages.map((m) => JSON.parse(new TextDecoder().decode(m.data)) as Record<string, unknown>);
  }
}

/**
 * Polls `probe` until it gives a value. The default wait is a guard against hanging, not a speed claim:
 * on a loaded 2-core machine one provisioning with its probes and drains took longer than 30 s.
 */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits for one of `states`, recorded at or after `since` (an ISO time) when given. */
export async function waitForOutcome(
  host: Host,
  event: { id: string; source: string },
  fn: string,
  states: OutcomeState[],
  since = "",
): Promise<Outcome> {
  return waitUntil(`outcome ${states.join("|")} of ${event.id} for ${fn}`, async () => {
    const outcome = await host.outcomes.get(event, fn);
    return outcome && states.includes(outcome.state) && outcome.updatedAt >= since ? outcome : undefined;
  });
}

export interface StoredMessage {
  subject: string;
  headers: Record<string, string[]>;
  data: Uint8Array;
}

/** Every message currently in a stream (events or dead letters), oldest first. */
export async function streamMessages(
  nc: NatsConnection,
  stream: string,
  filter?: string,
): Promise<StoredMessage[]> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(stream, filter ? { subjects_filter: filter } : undefined);
  let left = filter
    ? Object.values(info.state.subjects ?? {}).reduce((a, b) => a + b, 0)
    : info.state.messages;
  const out: StoredMessage[] = [];
  if (left === 0) return out;
  const consumer = await jetstream(nc).consumers.get(stream, filter ? { filter_subjects: [filter] } : {});
  for await (const msg of await consumer.fetch({ max_messages: left, expires: 10_000 })) {
    const headers: Record<string, string[]> = {};
    for (const [k, v] of msg.headers ?? []) headers[k] = v;
    out.push({ subject: msg.subject, headers, data: msg.data });
    if (--left === 0) break;
  }
  return out;
}
