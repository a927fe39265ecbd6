// Delivers result events to webhooks: one consumer and one bounded worker pool per webhook.
import { jetstream, jetstreamManager, type Consumer, type JsMsg } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { PULL_EXPIRES_MS, type RetryPolicy, type RuntimeConfig } from "../../shared/config.ts";
import type { Logger } from "../../shared/logging.ts";
import { OutcomeStore } from "../../shared/host/outcomes.ts";
import { ensureWebhookConsumer } from "./consumer.ts";
import { deliverToWebhook, type WebhookDeps } from "./deliver.ts";
import { notifierName, type Webhook } from "./webhooks.ts";

export interface NotifierOptions {
  nc: NatsConnection;
  config: RuntimeConfig;
  webhooks: readonly Webhook[];
  log: Logger;
  /** Per request; defaults to 10 s. */
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

async function consume(consumer: Consumer, deps: WebhookDeps, limit: number): Promise<Notifier> {
  const messages = await consumer.consume({ max_messages: limit * 2, expires: PULL_EXPIRES_MS });
  const running = new Set<Promise<void>>();
  let draining = false;
  const start = (msg: JsMsg): void => {
    const task = deliverToWebhook(msg, deps).finally(() => running.delete(task));
    running.add(task);
  };
  const loop = (async (): Promise<void> => {
    for await (const msg of messages) {
      if (draining) {
        msg.nak();
        continue;
      }
      start(msg);
      while (running.size >= limit) await Promise.race(running);
    }
  })();
  return {
    async drain(): Promise<void> {
      draining = true;
      await messages.close();
      await loop;
      await Promise.allSettled([...running]);
    },
  };
}

export async function startNotifier(options: NotifierOptions): Promise<Notifier> {
  const { nc, config, log } = options;
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const outcomes = await OutcomeStore.open(nc, config.outcomesBucket);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const retry = options.retry ?? config.retry;
  const workers: Notifier[] = [];
  for (const webhook of options.webhooks) {
    await ensureWebhookConsumer(jsm, config, webhook, timeoutMs);
    const consumer = await js.consumers.get(config.eventsStream, notifierName(webhook));
    const deps: WebhookDeps = {
      webhook,
      js,
      config,
      outcomes,
      log: log.child({ webhook: webhook.name }),
      retry,
      timeoutMs,
    };
    workers.push(await consume(consumer, deps, options.concurrency ?? 4));
    // The URL may carry a token in its query; log only where it points.
    log.info(
      { webhook: webhook.name, types: webhook.types, host: new URL(webhook.url).host },
      "webhook consuming",
    );
  }
  return { drain: async () => void (await Promise.all(workers.map((w) => w.drain()))) };
}
