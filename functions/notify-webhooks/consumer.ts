// Each webhook's own durable consumer on the event stream, so a slow receiver holds up no other.
import { AckPolicy, DeliverPolicy, type ConsumerConfig, type JetStreamManager } from "@nats-io/jetstream";
import type { RuntimeConfig } from "../../shared/config.ts";
import { replaySubject } from "../../shared/events.ts";
import { subjectOf } from "../../schemas/events.ts";
import { notifierName, type Webhook } from "./webhooks.ts";

const NANOS_PER_MS = 1_000_000;
// The ack wait must outlast one POST, or JetStream would hand the message out again mid-request.
const ACK_MARGIN_MS = 5_000;

export function webhookConsumerConfig(
  config: RuntimeConfig,
  webhook: Webhook,
  timeoutMs: number,
): Partial<ConsumerConfig> {
  const name = notifierName(webhook);
  return {
    durable_name: name,
    description: `icn webhook ${webhook.name} (${webhook.types.join(", ")})`,
    // The replay subject lets `icnctl dlq redrive` send a dead letter back to this webhook alone.
    filter_subjects: [
      ...webhook.types.map((type) => subjectOf(config.prefix, type)),
      replaySubject(config.prefix, name, ">"),
    ],
    ack_policy: AckPolicy.Explicit,
    // A webhook added today is told about today's results, not a week of history.
    deliver_policy: DeliverPolicy.New,
    ack_wait: Math.max(config.ackWaitMs, timeoutMs + ACK_MARGIN_MS) * NANOS_PER_MS,
    // The notifier decides when to give up, and then dead-letters: nothing is dropped silently.
    max_deliver: -1,
    max_ack_pending: 1000,
  };
}

export async function ensureWebhookConsumer(
  jsm: JetStreamManager,
  config: RuntimeConfig,
  webhook: Webhook,
  timeoutMs: number,
): Promise<void> {
  const wanted = webhookConsumerConfig(config, webhook, timeoutMs);
  const name = notifierName(webhook);
  try {
    await jsm.consumers.info(config.eventsStream, name);
    // The deliver policy is fixed at creation; the rest (types, timeouts) follows the configuration.
    const changeable = { ...wanted };
    delete changeable.deliver_policy;
    await jsm.consumers.update(config.eventsStream, name, changeable);
  } catch (err) {
    if (!/consumer not found/i.test(String(err))) throw err;
    await jsm.consumers.add(config.eventsStream, wanted);
  }
}
