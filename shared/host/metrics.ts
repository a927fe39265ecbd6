// The host's Prometheus metrics, in a registry of its own (no global default registry).
//
// Deliveries bump plain numbers in a per-function tally; the counters, the in-flight gauge and the
// duration histogram read them when scraped. Updating prom-client's labelled metrics per event cost
// more than a no-op handler's whole delivery; a scrape is rare.
import { Counter, Gauge, Registry, collectDefaultMetrics } from "prom-client";
import { BucketTally, TalliedHistogram } from "./duration-histogram.ts";

/** What one function's deliveries count. */
export interface FunctionTally {
  received: number;
  succeeded: number;
  rejected: number;
  retried: number;
  deadLettered: number;
  inFlight: number;
  /** Seconds spent in the handler, by how it ended. */
  observe(outcome: HandlerOutcome, seconds: number): void;
}

const HANDLER_OUTCOMES = ["succeeded", "failed", "rejected"] as const;
export type HandlerOutcome = (typeof HANDLER_OUTCOMES)[number];

type CountName = Exclude<keyof FunctionTally, "observe" | "inFlight">;

/** Handler durations in seconds: a millisecond for a no-op up to the apiserver's slowest calls. */
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface HostMetrics {
  registry: Registry;
  received: Counter<"function">;
  succeeded: Counter<"function">;
  rejected: Counter<"function">;
  retried: Counter<"function">;
  deadLettered: Counter<"function">;
  inFlight: Gauge<"function">;
  /** The tally a function's deliveries update; one per function name. */
  tally(fn: string): FunctionTally;
}

export function createMetrics(): HostMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const tallies = new Map<string, FunctionTally>();
  const counter = (field: CountName, name: string, help: string): Counter<"function"> =>
    new Counter({
      name: `icn_events_${name}_total`,
      help,
      labelNames: ["function"],
      registers: [registry],
      collect() {
        this.reset();
        for (const [fn, tally] of tallies) this.inc({ function: fn }, tally[field]);
      },
    });
  const durations = new Map<string, Record<HandlerOutcome, BucketTally>>();
  // Registered with the registry, which is all that reads it: deliveries observe through their tally.
  new TalliedHistogram({
    name: "icn_handler_duration_seconds",
    help: "Time spent in a function's handler",
    labelNames: ["function", "outcome"],
    buckets: DURATION_BUCKETS,
    registry,
    *tallies() {
      for (const [fn, byOutcome] of durations)
        for (const outcome of HANDLER_OUTCOMES) yield [{ function: fn, outcome }, byOutcome[outcome]];
    },
  });
  const newTally = (fn: string): FunctionTally => {
    const byOutcome = {
      succeeded: new BucketTally(DURATION_BUCKETS),
      failed: new BucketTally(DURATION_BUCKETS),
      rejected: new BucketTally(DURATION_BUCKETS),
    };
    durations.set(fn, byOutcome);
    return {
      received: 0,
      succeeded: 0,
      rejected: 0,
      retried: 0,
      deadLettered: 0,
      inFlight: 0,
      observe: (outcome, seconds) => byOutcome[outcome].observe(seconds),
    };
  };
  return {
    registry,
    received: counter("received", "received", "Events delivered to a function (every attempt)"),
    succeeded: counter("succeeded", "succeeded", "Events a function handled successfully"),
    rejected: counter("rejected", "rejected", "Events refused for good: bad input or policy"),
    retried: counter("retried", "retried", "Attempts that failed transiently and were scheduled again"),
    deadLettered: counter("deadLettered", "dead_lettered", "Events moved to the dead-letter stream"),
    inFlight: new Gauge({
      name: "icn_handlers_in_flight",
      help: "Handlers running now",
      labelNames: ["function"],
      registers: [registry],
      collect() {
        for (const [fn, tally] of tallies) this.set({ function: fn }, tally.inFlight);
      },
    }),
    tally(fn: string): FunctionTally {
      let tally = tallies.get(fn);
      if (!tally) tallies.set(fn, (tally = newTally(fn)));
      return tally;
    },
  };
}
