// The watchers as a process: KUBECONFIG (or in-cluster), NATS_URL and ICN_* from the environment; SIGTERM stops it cleanly.
import { connect } from "@nats-io/transport-node";
import { jetstream } from "@nats-io/jetstream";
import { configFromEnv, natsAuthFromEnv } from "../config.ts";
import { kubeFromEnvironment } from "../kube.ts";
import { createLogger } from "../logging.ts";
import { startWatchers, watcherOptionsFromEnv } from "./index.ts";
import { drainOnSignals } from "../shutdown.ts";

async function main(): Promise<void> {
  const config = configFromEnv();
  const options = watcherOptionsFromEnv();
  const log = createLogger("icn-watchers");
  const nc = await connect({
    servers: config.natsUrl,
    name: "icn-watchers",
    maxReconnectAttempts: -1,
    ...natsAuthFromEnv(),
  }).catch((err: unknown) => {
    throw new Error(`cannot connect to NATS at ${config.natsUrl} (set NATS_URL): ${String(err)}`);
  });
  const watchers = await startWatchers({
    kube: kubeFromEnvironment(),
    js: jetstream(nc),
    config,
    log,
    options,
  });
  log.info({ watchers: options.watchers, prefix: config.prefix, nats: config.natsUrl }, "watchers running");
  void watchers.synced.then(() => log.info({ stats: watchers.stats() }, "watchers synced"));
  drainOnSignals(log, async (signal) => {
    log.info({ signal }, "stopping watchers");
    await watchers.stop();
    await nc.drain();
    log.info({ stats: watchers.stats() }, "watchers stopped");
  });
}

main().catch((err: unknown) => {
  console.error(`icn-watchers: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
