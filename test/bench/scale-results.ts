// Result events as they reach the bus, by a key read from each (its node, its tenant, its cause), with the time each came.
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import type { EventName } from "../../schemas/events.ts";
import { percentile, progress, round } from "./support.ts";

export interface Seen {
  at: number;
  type: EventName;
  data: Record<string, unknown>;
}

/** A progress line at most every 10 s: the phases run for minutes, and a person watches them. */
export function ticker(everyMs = 10_000): (message: () => string) => void {
  let said = Date.now();
  return (message) => {
    if (Date.now() - said < everyMs) return;
    said = Date.now();
    progress(message());
  };
}

type KeyOf = (data: Record<string, unknown>, causeId: string) => string;

/** The node or tenant a result names, for results that carry one. */
export const byNode: KeyOf = (data) => String(data.node);
export const byTenant: KeyOf = (data) => String(data.tenant);
export const byCause: KeyOf = (_, causeId) => causeId;

export class ResultLog {
  readonly seen = new Map<string, Seen>();
  readonly #subs: Subscription[];

  constructor(nc: NatsConnection, prefix: string, names: EventName[], keyOf: KeyOf) {
    this.#subs = names.map((type) =>
      nc.subscribe(`${prefix}.${type}`, {
        callback: (err, msg) => {
          if (err) return;
          const data = JSON.parse(new TextDecoder().decode(msg.data)) as Record<string, unknown>;
          const key = keyOf(data, msg.headers?.get("ce-causeid") ?? "");
          if (!this.seen.has(key)) this.seen.set(key, { at: performance.now(), type, data });
        },
      }),
    );
  }

  /** Resolves once every key has a result; says how far it is every 10 s; the error names what is missing. */
  async waitFor(what: string, keys: readonly string[], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const say = ticker();
    for (;;) {
      const missing = keys.filter((k) => !this.seen.has(k));
      if (missing.length === 0) return;
      if (Date.now() > deadline)
        throw new Error(
          `${what}: ${missing.length} of ${keys.length} had no result after ${timeoutMs} ms (first: ${missing.slice(0, 5).join(", ")})`,
        );
      say(() => `${what}: ${keys.length - missing.length}/${keys.length}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Each key's time from `startedAt` to its result, sorted. */
  latencies(startedAt: ReadonlyMap<string, number>): number[] {
    return [...startedAt]
      .map(([key, at]) => (this.seen.get(key)?.at ?? NaN) - at)
      .filter((ms) => !Number.isNaN(ms))
      .sort((a, b) => a - b);
  }

  /** The last result among `keys`. */
  lastAt(keys: readonly string[]): number {
    return Math.max(...keys.map((k) => this.seen.get(k)?.at ?? NaN));
  }

  close(): void {
    for (const sub of this.#subs) sub.unsubscribe();
  }
}

/** Throughput of one step as `<things>_per_s`, and each one's p50/p99 as `<thing>_p50_ms`, `<thing>_p99_ms`. */
export function stepFigures(
  keys: { things: string; thing: string },
  count: number,
  seconds: number,
  latencies: number[],
): Record<string, number> {
  return {
    [`${keys.things}_per_s`]: round(count / seconds, 2),
    [`${keys.thing}_p50_ms`]: round(percentile(latencies, 50)),
    [`${keys.thing}_p99_ms`]: round(percentile(latencies, 99)),
  };
}
