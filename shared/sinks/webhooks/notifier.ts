// Delivers result events to webhooks on the host's delivery core: one durable consumer per webhook, so a
// slow receiver holds up no other; retries, dead letters, outcomes and crash loops as for any function.
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { RetryPolicy, RuntimeConfig } from "../../config.ts";
import { IcnError } from "../../errors.ts";
import type { Kube } from "../../kube.ts";
import type { Logger } from "../../logging.ts";
import { createMetrics } from "../../host/metrics.ts";
import { OutcomeStore } from "../../host/outcomes.ts";
import { DEFAULT_DRAIN_TIMEOUT_MS, runTargets } from "../../host/run-targets.ts";
import { ensureDurable } from "../../host/streams.ts";
import { webhookConsumerConfig, webhookTarget } from "./target.ts";
import type { Webhook } from "./webhooks.ts";

export interface NotifierOptions {
  nc: NatsConnection;
  config: RuntimeConfig;
  webhooks: readonly Webhook[];
  log: Logger;
  /** Per request (each attempt's deadline); defaults to 10 s. */
  timeoutMs?: number;
  /** Attempts and backoff; defaults to the runtime's. */
  retry?: RetryPolicy;
  /** Requests in flight per webhook. */
  concurrency?: number;
}

export interface Notifier {
  /** Stops pulling and waits for requests in flight; unstarted messages go back to JetStream. */
  drain(): Promise<void>;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

const noCluster = (): never => {
  throw new IcnError("INTERNAL", "a webhook has no access to the cluster");
};
/** Webhooks post; they never call the apiserver, so the notifier holds no credentials for it. */
const NO_KUBE: Kube = {
  get config() {
    return noCluster();
  },
  get core() {
    return noCluster();
  },
  get objects() {
    return noCluster();
  },
  withSignal: (_signal, fn) => fn(),
};

export async function startNotifier(options: NotifierOptions): Promise<Notifier> {
  const { nc, config, log } = options;
  const jsm = await jetstreamManager(nc);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const concurrency = options.concurrency ?? 4;
  for (const webhook of options.webhooks) {
    await ensureDurable(jsm, config, webhookConsumerConfig(config, webhook));
    // The URL may carry a token in its query; log only where it points.
    log.info(
      { webhook: webhook.name, types: webhook.types, host: new URL(webhook.url).host },
      "webhook configured",
    );
  }
  const outcomes = await OutcomeStore.open(nc, config.outcomesBucket, config.streamReplicas);
  const targets = options.webhooks.map((webhook) =>
    webhookTarget(webhook, { timeoutMs, concurrency, ...(options.retry ? { retry: options.retry } : {}) }),
  );
  const metrics = createMetrics();
  const running = await runTargets(targets, {
    config,
    js: jetstream(nc),
    kube: NO_KUBE,
    log,
    outcomes,
    metrics,
  });
  return {
    async drain(): Promise<void> {
      await running.drain(DEFAULT_DRAIN_TIMEOUT_MS);
      outcomes.close();
    },
  };
}
