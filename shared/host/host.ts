// The function host: provisions (or checks) streams and consumers, runs each function's consumer, serves probes.
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Server } from "node:http";
import type { RuntimeConfig } from "../config.ts";
import type { AnyFunction } from "../function.ts";
import type { Kube } from "../kube.ts";
import type { Logger } from "../logging.ts";
import { shutdownError } from "./deadline.ts";
import { startConsumer, type RunningConsumer } from "./consumer-loop.ts";
import { startHttp } from "./http.ts";
import { createMetrics, type HostMetrics } from "./metrics.ts";
import { OutcomeStore } from "./outcomes.ts";
import { provisionBus } from "./provision-bus.ts";

export interface HostOptions {
  functions: readonly AnyFunction[];
  nc: NatsConnection;
  kube: Kube;
  config: RuntimeConfig;
  log: Logger;
  /** Serve /healthz, /readyz, /metrics here; omit to serve nothing (tests, benchmarks). */
  http?: { host: string; port: number };
  /** How long drain() waits for running handlers before aborting their signals. */
  drainTimeoutMs?: number;
}

/** Inside Kubernetes' default 30 s grace period, with time left to settle and close. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 20_000;

export interface Host {
  metrics: HostMetrics;
  outcomes: OutcomeStore;
  httpPort?: number;
  ready(): boolean;
  inFlight(): number;
  /** Finishes in-flight handlers, pulls nothing new, then closes the HTTP server. */
  drain(): Promise<void>;
}

export async function startHost(options: HostOptions): Promise<Host> {
  const { nc, config, log } = options;
  // Before any function consumes: in bind mode a missing or changed consumer stops the start.
  await provisionBus(nc, config, options.functions);
  const js = jetstream(nc);
  const outcomes = await OutcomeStore.open(nc, config.outcomesBucket, config.streamReplicas);
  const metrics = createMetrics();
  const shutdown = new AbortController();
  const consumers: RunningConsumer[] = [];
  let draining = false;
  for (const fn of options.functions) {
    const consumer = await js.consumers.get(config.eventsStream, fn.name);
    const deps = { fn, config, js, kube: options.kube, log, signal: shutdown.signal, outcomes, metrics };
    consumers.push(await startConsumer(consumer, deps));
    log.info({ function: fn.name, on: fn.on, concurrency: fn.concurrency }, "function consuming");
  }
  const ready = (): boolean => !draining && !nc.isClosed();
  let server: Server | undefined;
  let httpPort: number | undefined;
  if (options.http)
    ({ server, port: httpPort } = await startHttp(options.http, { ready, registry: metrics.registry }));
  return {
    metrics,
    outcomes,
    httpPort,
    ready,
    inFlight: () => consumers.reduce((sum, c) => sum + c.inFlight(), 0),
    async drain(): Promise<void> {
      draining = true;
      // Handlers get the drain deadline to finish; those still running then see their signal abort,
      // and their messages go back to the stream for another host.
      const giveUp = setTimeout(
        () => shutdown.abort(shutdownError()),
        options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS,
      );
      await Promise.all(consumers.map((c) => c.drain()));
      clearTimeout(giveUp);
      outcomes.close();
      shutdown.abort(shutdownError());
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    },
  };
}
