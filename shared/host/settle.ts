// How a delivery ends when its handler did not succeed: rejected, retried later, or dead-lettered,
// each with its outcome recorded; and the types every step of a delivery shares.
import type { CloudEvent } from "cloudevents";
import type { JsMsg } from "@nats-io/jetstream";
import { parseEventData } from "../../schemas/events.ts";
import { MAX_REASON_LENGTH } from "../../schemas/fields.ts";
import type { RetryPolicy } from "../config.ts";
import { describeError, type IcnError } from "../errors.ts";
import { decide } from "./decide.ts";
import { makeEmit, type ContextDeps } from "./context.ts";
import { deadLetter } from "./dead-letter.ts";
import type { FunctionTally } from "./metrics.ts";
import type { Outcome, OutcomeStore } from "./outcomes.ts";
import type { DeliveryTarget } from "./target.ts";
import type { WriteBatch } from "./write-batch.ts";

/** A handler running now: since when (performance.now()), and how to say so if it runs long. */
export interface Lease {
  since: number;
  /** Records the `received` outcome; the consumer loop calls it once, for a handler still running. */
  markReceived?: () => Promise<void>;
  /** That record being stored: the final one waits for it, so it is never overtaken. */
  received?: Promise<void>;
}

export interface DeliveryDeps extends ContextDeps {
  fn: DeliveryTarget;
  outcomes: OutcomeStore;
  tally: FunctionTally;
  /** Messages whose handlers run now; the consumer loop renews their leases. */
  leases: Map<JsMsg, Lease>;
  writes: WriteBatch;
}

export interface Delivery {
  msg: JsMsg;
  /** This try at the handler: failures recorded so far, plus one (see attempts.ts). */
  attempt: number;
  /** JetStream's count: crashes and lost leases included. */
  deliveries: number;
  replayId?: string;
  results: string[];
}

/** The function's own retry policy, else the host's. */
export const retryOf = (deps: DeliveryDeps): RetryPolicy => deps.fn.retry ?? deps.config.retry;

export function outcomeOf(
  deps: DeliveryDeps,
  event: CloudEvent<unknown>,
  d: Delivery,
  rest: Pick<Outcome, "state" | "error">,
): Omit<Outcome, "updatedAt"> {
  return {
    event: { id: event.id, source: event.source, type: event.type },
    function: deps.fn.name,
    attempts: d.attempt,
    results: d.results,
    replay: d.replayId !== undefined,
    ...rest,
  };
}

async function record(
  deps: DeliveryDeps,
  event: CloudEvent<unknown>,
  d: Delivery,
  rest: Pick<Outcome, "state" | "error">,
): Promise<void> {
  await deps.outcomes.record(outcomeOf(deps, event, d, rest));
}

async function reject(
  deps: DeliveryDeps,
  event: CloudEvent<unknown>,
  d: Delivery,
  err: IcnError,
): Promise<void> {
  const { fn } = deps;
  if (fn.rejects) {
    // A refusal must always be sayable: the reason within its schema's limit, and the function's
    // extras dropped when they would make the result invalid (a tenant name with control characters).
    const base = { code: err.code, reason: err.message.slice(0, MAX_REASON_LENGTH) };
    const full = { ...(fn.rejection?.(event, err) ?? {}), ...base };
    const data = parseEventData(fn.rejects, full).success ? full : base;
    await makeEmit(deps, event, d.replayId, d.results)(fn.rejects, data);
  }
  await record(deps, event, d, { state: "rejected", error: { code: err.code, message: err.message } });
  deps.tally.rejected++;
  deps.log.warn(
    { eventId: event.id, function: fn.name, code: err.code, reason: err.message },
    "event rejected",
  );
  d.msg.ack();
}

export async function sendToDeadLetters(
  deps: DeliveryDeps,
  d: Delivery,
  err: unknown,
  event?: CloudEvent<unknown>,
): Promise<void> {
  const { code, message } = describeError(err);
  await deadLetter(deps.js, deps.config, d.msg, { fn: deps.fn.name, attempts: d.attempt, code, message });
  if (event) await record(deps, event, d, { state: "dead-lettered", error: { code, message } });
  deps.tally.deadLettered++;
  deps.log.error(
    { eventId: event?.id, function: deps.fn.name, code, reason: message, attempts: d.attempt },
    "event dead-lettered",
  );
  d.msg.term(`dead-lettered: ${code}`);
}

export async function failed(
  deps: DeliveryDeps,
  event: CloudEvent<unknown>,
  d: Delivery,
  err: unknown,
): Promise<void> {
  const decision = decide(err, d.attempt, retryOf(deps));
  if (decision.action === "reject") return reject(deps, event, d, decision.error);
  if (decision.action === "dead-letter") return sendToDeadLetters(deps, d, err, event);
  if (decision.action === "release") {
    deps.log.warn({ eventId: event.id, function: deps.fn.name }, "handler outlived the drain; released");
    return d.msg.nak();
  }
  const { code, message, delayMs } = decision;
  await record(deps, event, d, { state: "retrying", error: { code, message } });
  deps.tally.retried++;
  deps.log.warn(
    {
      eventId: event.id,
      function: deps.fn.name,
      code,
      reason: message,
      attempt: d.attempt,
      retryInMs: delayMs,
    },
    "attempt failed, will retry",
  );
  d.msg.nak(delayMs);
}

/**
 * Whatever escaped the handler's error path. Without a decoded event there is nothing to reject, so a
 * permanent failure is dead-lettered; anything else is retried until JetStream's deliveries reach the
 * last attempt, so a failure that keeps escaping (a poison message) ends too.
 */
export async function settleUnexpected(deps: DeliveryDeps, d: Delivery, err: unknown): Promise<void> {
  try {
    const decision = decide(err, d.deliveries, retryOf(deps));
    if (decision.action === "release") return d.msg.nak();
    if (decision.action !== "retry") return await sendToDeadLetters(deps, d, err);
    deps.log.error({ err, function: deps.fn.name }, "delivery failed; the message will be redelivered");
    d.msg.nak(decision.delayMs);
  } catch (inner) {
    deps.log.error(
      { err: inner, function: deps.fn.name },
      "could not settle the message; JetStream will redeliver it",
    );
  }
}
