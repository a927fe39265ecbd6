// A webhook as the host's delivery core sees it: its durable consumer, the result events it takes, and
// the POST of each one.
import { AckPolicy, DeliverPolicy, type ConsumerConfig } from "@nats-io/jetstream";
import { eventType, subjectOf } from "../../../schemas/events.ts";
import type { RetryPolicy, RuntimeConfig } from "../../config.ts";
import { replaySubject } from "../../events.ts";
import { NANOS_PER_MS } from "../../host/streams.ts";
import { permanent } from "../../errors.ts";
import type { DeliveryTarget } from "../../host/target.ts";
import { postEvent } from "./post.ts";
import { notifierName, type Webhook } from "./webhooks.ts";

/**
 * Each webhook's own durable consumer, so a slow receiver holds up no other. The replay subject lets
 * `icnctl dlq redrive` send a dead letter back to this webhook alone.
 */
export function webhookConsumerConfig(
  config: RuntimeConfig,
  webhook: Webhook,
): Partial<ConsumerConfig> & { durable_name: string } {
  const name = notifierName(webhook);
  return {
    durable_name: name,
    description: `icn webhook ${webhook.name} (${webhook.types.join(", ")})`,
    filter_subjects: [
      ...webhook.types.map((type) => subjectOf(config.prefix, type)),
      replaySubject(config.prefix, name, ">"),
    ],
    ack_policy: AckPolicy.Explicit,
    // A webhook added today is told about today's results, not a week of history.
    deliver_policy: DeliverPolicy.New,
    // The delivery core renews the lease of a POST still running.
    ack_wait: config.ackWaitMs * NANOS_PER_MS,
    // The delivery core decides when to give up, and then dead-letters: nothing is dropped silently.
    max_deliver: -1,
    max_ack_pending: 1000,
  };
}

export interface WebhookTargetOptions {
  /** Each POST's deadline: the attempt's. */
  timeoutMs: number;
  /** The runtime's when unset. */
  retry?: RetryPolicy;
  concurrency: number;
}

export function webhookTarget(webhook: Webhook, options: WebhookTargetOptions): DeliveryTarget {
  const types: ReadonlySet<string> = new Set(webhook.types.map(eventType));
  return {
    name: notifierName(webhook),
    // A sink: it emits nothing, and a receiver's refusal is dead-lettered (WEBHOOK_REJECTED), not rejected.
    emits: [],
    concurrency: options.concurrency,
    timeoutMs: options.timeoutMs,
    ...(options.retry ? { retry: options.retry } : {}),
    accept(event) {
      if (!types.has(event.type))
        throw permanent(
          "WRONG_EVENT_TYPE",
          `webhook ${webhook.name} takes ${[...types].join(", ")}, got ${event.type}`,
        );
      return event;
    },
    async handle(event, ctx) {
      const status = await postEvent(webhook, event, ctx.signal);
      ctx.log.info({ status, webhook: webhook.name }, "notification delivered");
    },
  };
}
