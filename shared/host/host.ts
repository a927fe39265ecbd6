// The function host: provisions (or checks) streams and consumers, runs each function's consumer, serves probes.
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Server } from "node:http";
import type { RuntimeConfig } from "../config.ts";
import type { AnyFunction } from "../function.ts";
import type { Kube } from "../kube.ts";
import type { Logger } from "../logging.ts";
import { startHttp } from "./http.ts";
import { createMetrics, type HostMetrics } from "./metrics.ts";
import { OutcomeStore } from "./outcomes.ts";
import { provisionBus } from "./provision-bus.ts";
import { DEFAULT_DRAIN_TIMEOUT_MS, runTargets } from "./run-targets.ts";
import { functionTarget } from "./target.ts";

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
  const running = await runTargets(options.functions.map(functionTarget), {
    config,
    js,
    kube: options.kube,
    log,
    outcomes,
    metrics,
  });
  let draining = false;
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
    inFlight: () => running.inFlight(),
    async drain(): Promise<void> {
      draining = true;
      await running.drain(options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS);
      outcomes.close();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    },
  };
}
