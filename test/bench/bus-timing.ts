// Timing helpers shared by the function benchmarks: a bounded worker pool, and publish → result timing.
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { RuntimeConfig } from "../../shared/config.ts";
import { publishEvent, type newEvent } from "../../shared/events.ts";

/** Runs `work` over items with at most `limit` at a time; returns each item's duration in ms. */
export async function pool<T>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<number[]> {
  const durations: number[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      const started = performance.now();
      await work(item);
      durations.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return durations;
}

export interface BusRun {
  nc: NatsConnection;
  config: RuntimeConfig;
  /** Where the function's result for each event appears; matched by its `ce-causeid`. */
  resultSubject: string;
  events: ReturnType<typeof newEvent>[];
  /** Events published before their results: all of them for throughput, one for a single event's latency. */
  inFlight?: number;
}

/** Times each event from its publish to its result event. */
export async function throughBus(run: BusRun): Promise<{ perSecond: number; latencies: number[] }> {
  const { nc, config, resultSubject, events, inFlight = events.length } = run;
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let wake: () => void = () => {};
  const sub = nc.subscribe(resultSubject);
  const done = (async (): Promise<void> => {
    for await (const msg of sub) {
      const at = sentAt.get(msg.headers?.get("ce-causeid") ?? "");
      if (at !== undefined) latencies.push(performance.now() - at);
      wake();
      if (latencies.length === events.length) break;
    }
  })();
  const js = jetstream(nc);
  const started = performance.now();
  for (const [i, event] of events.entries()) {
    while (i - latencies.length >= inFlight) await new Promise<void>((resolve) => (wake = resolve));
    sentAt.set(event.id, performance.now());
    await publishEvent(js, config.prefix, event);
  }
  await done;
  return {
    perSecond: events.length / ((performance.now() - started) / 1000),
    latencies: latencies.sort((a, b) => a - b),
  };
}
