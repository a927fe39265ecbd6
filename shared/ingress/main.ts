// Runs the ingress as a process: configuration from the environment; SIGTERM finishes requests, then exits 0.
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { maxClockSkewFromEnv } from "../clock.ts";
import { configFromEnv, natsAuthFromEnv } from "../config.ts";
import { envInt, envString } from "../env.ts";
import { ensureStreams } from "../host/streams.ts";
import { createLogger } from "../logging.ts";
import { startIngress } from "./server.ts";
import { loadSources } from "./sources.ts";
import { drainOnSignals } from "../shutdown.ts";

async function main(env: NodeJS.ProcessEnv): Promise<void> {
  const config = configFromEnv(env);
  const log = createLogger("icn-ingress");
  const sources = loadSources(envString(env, "ICN_INGRESS_SOURCES"));
  const nc = await connect({
    servers: config.natsUrl,
    name: "icn-ingress",
    maxReconnectAttempts: -1,
    ...natsAuthFromEnv(env),
  });
  // Publishing before any host ran would otherwise fail: the stream is what stores the events.
  await ensureStreams(await jetstreamManager(nc), config);
  const ingress = await startIngress({
    nc,
    config,
    sources,
    log,
    host: envString(env, "ICN_INGRESS_HOST", "127.0.0.1"),
    port: envInt(env, "ICN_INGRESS_PORT", 8088),
    maxBytes: envInt(env, "ICN_INGRESS_MAX_BYTES", config.maxPayloadBytes),
    maxClockSkewMs: maxClockSkewFromEnv(env),
  });
  drainOnSignals(log, async (signal) => {
    log.info({ signal }, "draining");
    await ingress.close();
    await nc.drain();
  });
}

main(process.env).catch((err: unknown) => {
  process.stderr.write(`icn-ingress: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
