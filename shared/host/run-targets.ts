// Runs each target on its durable consumer (named after it), and stops them all within a deadline:
// the one place a host's functions and the notifier's webhooks are consumed, retried and settled.
import type { JetStreamClient } from "@nats-io/jetstream";
import type { RuntimeConfig } from "../config.ts";
import type { Kube } from "../kube.ts";
import type { Logger } from "../logging.ts";
import { startConsumer, type RunningConsumer } from "./consumer-loop.ts";
import { shutdownError } from "./deadline.ts";
import type { HostMetrics } from "./metrics.ts";
import type { OutcomeStore } from "./outcomes.ts";
import type { DeliveryTarget } from "./target.ts";

export interface TargetsDeps {
  config: RuntimeConfig;
  js: JetStreamClient;
  kube: Kube;
  log: Logger;
  outcomes: OutcomeStore;
  metrics: HostMetrics;
}

export interface RunningTargets {
  inFlight(): number;
  /**
   * Pulls nothing new and waits for running handlers; past `deadlineMs`, aborts their signals, so
   * their messages go back to the stream for another consumer.
   */
  drain(deadlineMs: number): Promise<void>;
}

/** Inside Kubernetes' default 30 s grace period, with time left to settle and close. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 20_000;

export async function runTargets(
  targets: readonly DeliveryTarget[],
  deps: TargetsDeps,
): Promise<RunningTargets> {
  const stop = new AbortController();
  const consumers: RunningConsumer[] = [];
  for (const fn of targets) {
    const consumer = await deps.js.consumers.get(deps.config.eventsStream, fn.name);
    consumers.push(await startConsumer(consumer, { ...deps, fn, signal: stop.signal }));
    deps.log.info({ function: fn.name, concurrency: fn.concurrency }, "consuming");
  }
  return {
    inFlight: () => consumers.reduce((sum, c) => sum + c.inFlight(), 0),
    async drain(deadlineMs): Promise<void> {
      const giveUp = setTimeout(() => stop.abort(shutdownError()), deadlineMs);
      await Promise.all(consumers.map((c) => c.drain()));
      clearTimeout(giveUp);
      stop.abort(shutdownError());
    },
  };
}
