// The host's Prometheus metrics, in a registry of its own (no global default registry).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export interface HostMetrics {
  registry: Registry;
  received: Counter<"function">;
  succeeded: Counter<"function">;
  rejected: Counter<"function">;
  retried: Counter<"function">;
  deadLettered: Counter<"function">;
  duration: Histogram<"function" | "outcome">;
  inFlight: Gauge<"function">;
}

export function createMetrics(): HostMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const counter = (name: string, help: string): Counter<"function"> =>
    new Counter({ name: `icn_events_${name}_total`, help, labelNames: ["function"], registers: [registry] });
  return {
    registry,
    received: counter("received", "Events delivered to a function (every attempt)"),
    succeeded: counter("succeeded", "Events a function handled successfully"),
    rejected: counter("rejected", "Events refused for good: bad input or policy"),
    retried: counter("retried", "Attempts that failed transiently and were scheduled again"),
    deadLettered: counter("dead_lettered", "Events moved to the dead-letter stream"),
    duration: new Histogram({
      name: "icn_handler_duration_seconds",
      help: "Time spent in a function's handler",
      labelNames: ["function", "outcome"],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    inFlight: new Gauge({
      name: "icn_handlers_in_flight",
      help: "Handlers running now",
      labelNames: ["function"],
      registers: [registry],
    }),
  };
}
