// Running the real functions in-process against the real servers, and reading what they emitted.
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { CloudEvent } from "cloudevents";
import type { RuntimeConfig } from "../../shared/config.ts";
import { newEvent, publishEvent } from "../../shared/events.ts";
import type { AnyFunction } from "../../shared/function.ts";
import type { Host } from "../../shared/host/host.ts";
import type { Outcome } from "../../shared/host/outcomes.ts";
import type { Kube } from "../../shared/kube.ts";
import { REPLAY_ID_HEADER } from "../../shared/host/delivery.ts";
import { subjectOf, type EventName } from "../../schemas/events.ts";
import { startTestHost, streamMessages, testConfig, waitForOutcome, waitUntil } from "../runtime/support.ts";

export interface SendOptions {
  id?: string;
  time?: string;
  /** Deliver to `fn` alone as a replay (as `icnctl replay` does), bypassing de-duplication. */
  replay?: boolean;
  /** The CloudEvents source (the producer); the test suite's own by default. */
  source?: string;
}

export interface FunctionRig {
  config: RuntimeConfig;
  host: Host;
  nc: NatsConnection;
  /** Publishes an event and waits until the function settled it. */
  send: (
    name: EventName,
    data: unknown,
    fn: string,
    options?: SendOptions,
  ) => Promise<{ event: CloudEvent<unknown>; outcome: Outcome }>;
  /** The result events caused by an event id, oldest first. */
  results: (causeId: string, name?: EventName) => Promise<{ type: string; data: Record<string, unknown> }[]>;
  /** Publishes without waiting; pair with `settled` for bulk runs. */
  publish: (name: EventName, data: unknown) => Promise<CloudEvent<unknown>>;
  /** Waits until the host has settled `count` deliveries (succeeded, rejected or dead-lettered). */
  settled: (
    count: number,
    timeoutMs?: number,
  ) => Promise<{ succeeded: number; rejected: number; deadLettered: number }>;
  stop: () => Promise<void>;
}

async function counterValue(counter: {
  get: () => Promise<{ values: { value: number }[] }>;
}): Promise<number> {
  return (await counter.get()).values.reduce((sum, v) => sum + v.value, 0);
}

export async function functionRig(
  nc: NatsConnection,
  functions: AnyFunction[],
  /** The cluster as the functions see it (a ServiceAccount's token); the admin's by default. */
  kube?: Kube,
): Promise<FunctionRig> {
  // A generous lease: on a loaded machine a pulled message may wait a while for its handler, and
  // an expired lease would redeliver it (correct, but it muddles counts in tests).
  const config = testConfig({ retry: { attempts: 3, backoffMs: [100] }, ackWaitMs: 15_000 });
  const host = await startTestHost(nc, config, functions, kube);
  const js = jetstream(nc);
  return {
    config,
    host,
    nc,
    send: async (name, data, fn, options = {}) => {
      const event = newEvent({ name, source: options.source ?? "urn:test:functions", data, id: options.id });
      const timed = options.time ? event.cloneWith({ time: options.time }) : event;
      const since = new Date().toISOString();
      const replay = options.replay
        ? { replayTo: fn, headers: { [REPLAY_ID_HEADER]: crypto.randomUUID() }, msgId: crypto.randomUUID() }
        : {};
      await publishEvent(js, config.prefix, timed, replay);
      const outcome = await waitForOutcome(
        host,
        timed,
        fn,
        ["succeeded", "rejected", "dead-lettered"],
        since,
      );
      return { event: timed, outcome };
    },
    results: async (causeId, name) => {
      const messages = await streamMessages(
        nc,
        config.eventsStream,
        name ? subjectOf(config.prefix, name) : undefined,
      );
      return messages
        .filter((m) => m.headers["ce-causeid"]?.[0] === causeId)
        .map((m) => ({
          type: m.headers["ce-type"]?.[0] ?? "",
          data: JSON.parse(new TextDecoder().decode(m.data)) as Record<string, unknown>,
        }));
    },
    publish: async (name, data) => {
      const event = newEvent({ name, source: "urn:test:functions", data });
      await publishEvent(js, config.prefix, event);
      return event;
    },
    settled: async (count, timeoutMs = 120_000) =>
      waitUntil(
        `${count} settled deliveries`,
        async () => {
          const m = host.metrics;
          const totals = {
            succeeded: await counterValue(m.succeeded),
            rejected: await counterValue(m.rejected),
            deadLettered: await counterValue(m.deadLettered),
          };
          return totals.succeeded + totals.rejected + totals.deadLettered >= count ? totals : undefined;
        },
        timeoutMs,
      ),
    stop: () => host.drain(),
  };
}
