// How a delivery ends: succeeded, rejected, retried later, or dead-lettered, each with its outcome
// recorded before the message is acked, naked or terminated.
import type { CloudEvent } from "cloudevents";
import { parseEventData } from "../../schemas/events.ts";
import { MAX_REASON_LENGTH } from "../../schemas/fields.ts";
import { backoffFor } from "../config.ts";
import { describeError, type IcnError } from "../errors.ts";
import { makeEmit } from "./context.ts";
import { deadLetter } from "./dead-letter.ts";
import { resultSource } from "./emitted.ts";
import { decide } from "./decide.ts";
import type { Delivery, DeliveryDeps } from "./delivery.ts";
import { historyAfter } from "./outcome-history.ts";
import type { Outcome } from "./outcomes.ts";

function outcomeOf(
  deps: DeliveryDeps,
  event: CloudEvent<unknown>,
  delivery: Delivery,
  rest: Pick<Outcome, "state" | "error">,
): Omit<Outcome, "updatedAt"> {
  const outcome: Omit<Outcome, "updatedAt"> = {
    event: { id: event.id, source: event.source, type: event.type },
    function: deps.fn.name,
    attempts: delivery.attempt,
    results: delivery.results,
    replay: delivery.replayId !== undefined,
    ...rest,
  };
  // Only what a record already says grows it: a first record that emitted nothing gains no field.
  if (delivery.emitted.length) outcome.emitted = delivery.emitted;
  if (delivery.via) outcome.via = delivery.via;
  if (delivery.prior) Object.assign(outcome, historyAfter(delivery.prior, delivery.attempt, delivery.via));
  return outcome;
}

/** The outcome, and beside it each result's origin, so a result's id names its cause. */
function store(deps: DeliveryDeps, outcome: Omit<Outcome, "updatedAt">): Promise<unknown> {
  if (!outcome.emitted) return deps.outcomes.save(outcome);
  const origins = outcome.emitted.map((result) =>
    deps.outcomes.saveOrigin({
      event: { id: result.id, source: resultSource(deps.config.source, deps.fn.name), type: result.type },
      function: deps.fn.name,
      cause: outcome.event,
      data: result.data,
    }),
  );
  return Promise.all([...origins, deps.outcomes.save(outcome)]);
}

async function record(
  deps: DeliveryDeps,
  event: CloudEvent<unknown>,
  delivery: Delivery,
  rest: Pick<Outcome, "state" | "error">,
): Promise<void> {
  await store(deps, outcomeOf(deps, event, delivery, rest));
}

/** Best effort: a handler that is still running loses nothing when this record is not stored. */
export async function recordReceived(
  deps: DeliveryDeps,
  event: CloudEvent<unknown>,
  delivery: Delivery,
): Promise<void> {
  try {
    await record(deps, event, delivery, { state: "received", error: delivery.lastError });
  } catch (err) {
    deps.log.warn({ err, eventId: event.id, function: deps.fn.name }, "could not record received");
  }
}

/** Acked only once the outcome is stored: an acked event must have its outcome. */
export async function settleSuccess(
  deps: DeliveryDeps,
  event: CloudEvent<unknown>,
  delivery: Delivery,
): Promise<void> {
  const outcome = outcomeOf(deps, event, delivery, { state: "succeeded" });
  try {
    // Records that finish in the same turn go out together (see write-batch.ts).
    await deps.writes.add(() => store(deps, outcome));
  } catch (err) {
    deps.log.warn({ err, eventId: event.id, function: deps.fn.name }, "outcome not stored; redelivering");
    return delivery.msg.nak(backoffFor(deps.retry, delivery.attempt));
  }
  delivery.msg.ack();
  deps.tally.succeeded++;
}

async function reject(
  deps: DeliveryDeps,
  event: CloudEvent<unknown>,
  delivery: Delivery,
  err: IcnError,
): Promise<void> {
  const { fn } = deps;
  if (fn.rejects) {
    // A refusal must always be sayable: the reason within its schema's limit, and the function's
    // extras dropped when they would make the result invalid (a tenant name with control characters).
    const base = { code: err.code, reason: err.message.slice(0, MAX_REASON_LENGTH) };
    const full = { ...(fn.rejection?.(event, err) ?? {}), ...base };
    const data = parseEventData(fn.rejects, full).success ? full : base;
    await makeEmit(deps, event, delivery)(fn.rejects, data);
  }
  await record(deps, event, delivery, { state: "rejected", error: { code: err.code, message: err.message } });
  deps.tally.rejected++;
  deps.log.warn(
    { eventId: event.id, function: fn.name, code: err.code, reason: err.message },
    "event rejected",
  );
  delivery.msg.ack();
}

export async function sendToDeadLetters(
  deps: DeliveryDeps,
  delivery: Delivery,
  err: unknown,
  event?: CloudEvent<unknown>,
): Promise<void> {
  const { code, message } = describeError(err);
  await deadLetter(deps.js, deps.config, delivery.msg, {
    fn: deps.fn.name,
    attempts: delivery.attempt,
    code,
    message,
  });
  if (event) await record(deps, event, delivery, { state: "dead-lettered", error: { code, message } });
  deps.tally.deadLettered++;
  deps.log.error(
    { eventId: event?.id, function: deps.fn.name, code, reason: message, attempts: delivery.attempt },
    "event dead-lettered",
  );
  delivery.msg.term(`dead-lettered: ${code}`);
}

export async function settleFailure(
  deps: DeliveryDeps,
  event: CloudEvent<unknown>,
  delivery: Delivery,
  err: unknown,
): Promise<void> {
  const decision = decide(err, delivery.attempt, deps.retry);
  if (decision.action === "reject") return reject(deps, event, delivery, decision.error);
  if (decision.action === "dead-letter") return sendToDeadLetters(deps, delivery, err, event);
  if (decision.action === "release") {
    deps.log.warn({ eventId: event.id, function: deps.fn.name }, "handler outlived the drain; released");
    return delivery.msg.nak();
  }
  const { code, message, delayMs } = decision;
  await record(deps, event, delivery, { state: "retrying", error: { code, message } });
  deps.tally.retried++;
  deps.log.warn(
    {
      eventId: event.id,
      function: deps.fn.name,
      code,
      reason: message,
      attempt: delivery.attempt,
      retryInMs: delayMs,
    },
    "attempt failed, will retry",
  );
  delivery.msg.nak(delayMs);
}

/**
 * Whatever escaped the handler's error path. Without a decoded event there is nothing to reject, so a
 * permanent failure is dead-lettered; anything else is retried until JetStream's deliveries reach the
 * last attempt, so a failure that keeps escaping (a poison message) ends too.
 */
export async function settleUnexpected(deps: DeliveryDeps, delivery: Delivery, err: unknown): Promise<void> {
  try {
    const decision = decide(err, delivery.deliveries, deps.retry);
    if (decision.action === "release") return delivery.msg.nak();
    if (decision.action !== "retry") return await sendToDeadLetters(deps, delivery, err);
    deps.log.error({ err, function: deps.fn.name }, "delivery failed; the message will be redelivered");
    delivery.msg.nak(decision.delayMs);
  } catch (inner) {
    deps.log.error(
      { err: inner, function: deps.fn.name },
      "could not settle the message; JetStream will redeliver it",
    );
  }
}
