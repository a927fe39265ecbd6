// Runs a host as a process: connect, consume, and on SIGTERM/SIGINT drain and exit 0.
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { configFromEnv, natsAuthFromEnv, type RuntimeConfig } from "../config.ts";
import type { AnyFunction } from "../function.ts";
import type { Kube } from "../kube.ts";
import { kubeOnFirstUse } from "../kube-on-first-use.ts";
import { createLogger, type Logger } from "../logging.ts";
import { startHost, type Host } from "./host.ts";
import { drainOnSignals } from "../shutdown.ts";

/** Something that runs beside the functions (the watchers) and stops before the host drains. */
export interface Companion {
  stop(): Promise<void>;
}

export interface HostProcessOptions {
  config?: RuntimeConfig;
  kube?: Kube;
  name?: string;
  companions?: (deps: {
    nc: NatsConnection;
    kube: Kube;
    config: RuntimeConfig;
    log: Logger;
  }) => Promise<Companion[]>;
}

export async function runHostProcess(
  functions: readonly AnyFunction[],
  options: HostProcessOptions = {},
): Promise<Host> {
  const config = options.config ?? configFromEnv();
  const log = createLogger(options.name ?? "icn-host");
  const nc = await connect({
    servers: config.natsUrl,
    name: options.name ?? "icn-host",
    maxReconnectAttempts: -1,
    ...natsAuthFromEnv(),
  }).catch((err: unknown) => {
    throw new Error(`cannot connect to NATS at ${config.natsUrl} (set NATS_URL): ${String(err)}`);
  });
  const kube = options.kube ?? kubeOnFirstUse();
  const host = await startHost({
    functions,
    nc,
    kube,
    config,
    log,
    http: { host: process.env.ICN_HTTP_HOST ?? "127.0.0.1", port: config.httpPort },
  });
  log.info(
    { functions: functions.map((f) => f.name), httpPort: host.httpPort, nats: config.natsUrl },
    "host ready",
  );
  const companions = (await options.companions?.({ nc, kube, config, log })) ?? [];
  drainOnSignals(log, async (signal) => {
    log.info({ signal, inFlight: host.inFlight() }, "draining");
    await Promise.all(companions.map((c) => c.stop()));
    await host.drain();
    await nc.drain();
  });
  return host;
}
