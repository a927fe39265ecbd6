// One delivery attempt of one bus message to one webhook: post, then ack, retry later, or dead-letter.
import type { CloudEvent } from "cloudevents";
import type { JetStreamClient, JsMsg } from "@nats-io/jetstream";
import { natsMsgToEvent } from "../../shared/cloudevents/nats-headers.ts";
import { backoffFor, type RetryPolicy, type RuntimeConfig } from "../../shared/config.ts";
import type { Logger } from "../../shared/logging.ts";
import { deadLetter } from "../../shared/host/dead-letter.ts";
import { REPLAY_ID_HEADER } from "../../shared/host/deliver.ts";
import type { OutcomeState, OutcomeStore } from "../../shared/host/outcomes.ts";
import { postEvent, type NotifyErrorCode } from "./post.ts";
import { notifierName, type Webhook } from "./webhooks.ts";

export interface WebhookDeps {
  webhook: Webhook;
  js: JetStreamClient;
  config: RuntimeConfig;
  outcomes: OutcomeStore;
  log: Logger;
  retry: RetryPolicy;
  timeoutMs: number;
}

interface Failure {
  code: NotifyErrorCode;
  message: string;
}

interface Attempt {
  attempts: number;
  state: OutcomeState;
  error?: Failure;
}

function record(
  deps: WebhookDeps,
  event: CloudEvent<unknown>,
  { attempts, state, error }: Attempt,
): Promise<void> {
  return deps.outcomes.record({
    event: { id: event.id, source: event.source, type: event.type },
    function: notifierName(deps.webhook),
    state,
    attempts,
    results: [],
    ...(error ? { error } : {}),
  });
}

async function sendToDeadLetters(
  deps: WebhookDeps,
  msg: JsMsg,
  failure: Failure,
  event?: CloudEvent<unknown>,
): Promise<void> {
  const fn = notifierName(deps.webhook);
  const attempts = msg.info.deliveryCount;
  await deadLetter(deps.js, deps.config, msg, { fn, attempts, ...failure });
  if (event) await record(deps, event, { attempts, state: "dead-lettered", error: failure });
  deps.log.error(
    { eventId: event?.id, webhook: deps.webhook.name, attempts, ...failure },
    "notification dead-lettered",
  );
  msg.term(`dead-lettered: ${failure.code}`);
}

function decode(msg: JsMsg, deps: WebhookDeps): CloudEvent<unknown> | Failure {
  try {
    return natsMsgToEvent(msg, { maxBytes: deps.config.maxPayloadBytes });
  } catch (err) {
    return { code: "BAD_EVENT", message: err instanceof Error ? err.message : String(err) };
  }
}

/** A redelivery after a crash between a successful POST and the ack need not POST again. */
async function alreadyDelivered(deps: WebhookDeps, msg: JsMsg, event: CloudEvent<unknown>): Promise<boolean> {
  if (msg.info.deliveryCount === 1 || msg.headers?.get(REPLAY_ID_HEADER)) return false;
  return deps.outcomes.isSettled(event, notifierName(deps.webhook));
}

async function attempt(msg: JsMsg, deps: WebhookDeps): Promise<void> {
  const decoded = decode(msg, deps);
  if (!("id" in decoded)) return sendToDeadLetters(deps, msg, decoded);
  const event = decoded;
  if (await alreadyDelivered(deps, msg, event)) return void msg.ack();
  const n = msg.info.deliveryCount;
  const log = deps.log.child({ eventId: event.id, type: event.type, webhook: deps.webhook.name, attempt: n });
  const result = await postEvent(deps.webhook, event, deps.timeoutMs);
  if (result.ok) {
    await record(deps, event, { attempts: n, state: "succeeded" });
    log.info({ status: result.status }, "notification delivered");
    return void msg.ack();
  }
  const failure = { code: result.code, message: result.message };
  if (!result.retryable || n >= deps.retry.attempts) return sendToDeadLetters(deps, msg, failure, event);
  await record(deps, event, { attempts: n, state: "retrying", error: failure });
  const delay = Math.max(backoffFor(deps.retry, n), result.retryAfterMs ?? 0);
  log.warn({ ...failure, retryInMs: delay }, "notification failed; will retry");
  msg.nak(delay);
}

/** Never throws: the message is acked, naked or dead-lettered, or (if even that fails) redelivered by JetStream. */
export async function deliverToWebhook(msg: JsMsg, deps: WebhookDeps): Promise<void> {
  try {
    await attempt(msg, deps);
  } catch (err) {
    deps.log.error({ err, webhook: deps.webhook.name }, "delivery failed; the message will be redelivered");
    try {
      msg.nak(backoffFor(deps.retry, msg.info.deliveryCount));
    } catch {
      // The connection is gone; the ack wait brings the message back.
    }
  }
}
