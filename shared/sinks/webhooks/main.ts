// Runs the notifier as a process: webhooks from ICN_WEBHOOKS; SIGTERM finishes requests in flight, then exits 0.
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { configFromEnv, natsAuthFromEnv } from "../../config.ts";
import { ensureStreams } from "../../host/streams.ts";
import { envInt, envString } from "../../env.ts";
import { createLogger } from "../../logging.ts";
import { DEFAULT_TIMEOUT_MS, startNotifier } from "./notifier.ts";
import { loadWebhooks } from "./webhooks.ts";
import { drainOnSignals } from "../../shutdown.ts";

/** 0 would time every request out before it is sent. */
function timeoutFromEnv(env: NodeJS.ProcessEnv): number {
  const ms = envInt(env, "ICN_WEBHOOK_TIMEOUT_MS", DEFAULT_TIMEOUT_MS);
  if (ms < 1) throw new Error("ICN_WEBHOOK_TIMEOUT_MS must be a positive integer, got 0");
  return ms;
}

async function main(env: NodeJS.ProcessEnv): Promise<void> {
  const config = configFromEnv(env);
  const log = createLogger("icn-notify-webhooks");
  const webhooks = loadWebhooks(envString(env, "ICN_WEBHOOKS"));
  const timeoutMs = timeoutFromEnv(env);
  const nc = await connect({
    servers: config.natsUrl,
    name: "icn-notify-webhooks",
    maxReconnectAttempts: -1,
    ...natsAuthFromEnv(env),
  });
  await ensureStreams(await jetstreamManager(nc), config);
  const notifier = await startNotifier({ nc, config, webhooks, log, timeoutMs });
  log.info({ webhooks: webhooks.map((w) => w.name), timeoutMs }, "notifier ready");
  drainOnSignals(log, async (signal) => {
    log.info({ signal }, "draining");
    await notifier.drain();
    await nc.drain();
  });
}

main(process.env).catch((err: unknown) => {
  process.stderr.write(`icn-notify-webhooks: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
