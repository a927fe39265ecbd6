// One delivery of one message to one function: decode, validate, handle, then ack, retry or dead-letter.
import type { CloudEvent } from "cloudevents";
import type { JsMsg } from "@nats-io/jetstream";
import { eventType, parseEventData, type EventName } from "../../schemas/events.ts";
import { MAX_REASON_LENGTH } from "../../schemas/fields.ts";
import type { ValidEvent } from "../function.ts";
import { natsMsgToEvent } from "../cloudevents/nats-headers.ts";
import { backoffFor } from "../config.ts";
import { describeError, IcnError, isTransient, permanent } from "../errors.ts";
import { makeContext, makeEmit, type ContextDeps } from "./context.ts";
import { deadLetter } from "./dead-letter.ts";
import type { FunctionTally } from "./metrics.ts";
import type { Outcome, OutcomeStore } from "./outcomes.ts";
import type { WriteBatch } from "./write-batch.ts";

export interface DeliveryDeps extends ContextDeps {
  outcomes: OutcomeStore;
  tally: FunctionTally;
  /** Messages whose handlers run now; the consumer loop renews their leases. */
  leases: Set<JsMsg>;
  writes: WriteBatch;
}

/** Header a replay or redrive carries, so its results are new events rather than repeats. */
export const REPLAY_ID_HEADER = "Icn-Replay-Id";

interface Delivery {
  msg: JsMsg;
  attempt: number;
  replayId?: string;
  results: string[];
}

function decode(msg: JsMsg, deps: DeliveryDeps): CloudEvent<unknown> {
  try {
    return natsMsgToEvent(msg, { maxBytes: deps.config.maxPayloadBytes });
  } catch (err) {
    throw permanent("BAD_EVENT", err instanceof Error ? err.message : String(err), err);
  }
}

function validate(event: CloudEvent<unknown>, deps: DeliveryDeps): CloudEvent<unknown> {
  const expected = eventType(deps.fn.on);
  if (event.type !== expected)
    throw permanent("WRONG_EVENT_TYPE", `${deps.fn.name} handles ${expected}, got ${event.type}`);
  const parsed = parseEventData(deps.fn.on, event.data);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join(".") || "data"}: ${i.message}`).join("; ");
    throw permanent("SCHEMA_INVALID", `data does not match ${deps.fn.on}: ${fields}`);
  }
  // The schemas neither transform nor default, so the data they accepted is the event's own.
  return event;
}

function outcomeOf(
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

async function sendToDeadLetters(
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

async function failed(
  deps: DeliveryDeps,
  event: CloudEvent<unknown>,
  d: Delivery,
  err: unknown,
): Promise<void> {
  if (!isTransient(err)) return reject(deps, event, d, err as IcnError);
  const retry = deps.fn.retry ?? deps.config.retry;
  if (d.attempt >= retry.attempts) return sendToDeadLetters(deps, d, err, event);
  const { code, message } = describeError(err);
  await record(deps, event, d, { state: "retrying", error: { code, message } });
  deps.tally.retried++;
  deps.log.warn(
    { eventId: event.id, function: deps.fn.name, code, reason: message, attempt: d.attempt },
    "attempt failed, will retry",
  );
  d.msg.nak(backoffFor(retry, d.attempt));
}

async function runHandler(deps: DeliveryDeps, event: CloudEvent<unknown>, d: Delivery): Promise<void> {
  const { tally } = deps;
  const ctx = makeContext(deps, event, { ...d, sequence: d.msg.info.streamSequence });
  deps.leases.add(d.msg);
  tally.inFlight++;
  const started = performance.now();
  const seconds = (): number => (performance.now() - started) / 1000;
  try {
    await deps.fn.handle(event as ValidEvent<EventName>, ctx);
    tally.observe("succeeded", seconds());
  } catch (err) {
    tally.observe(isTransient(err) ? "failed" : "rejected", seconds());
    throw err;
  } finally {
    deps.leases.delete(d.msg);
    tally.inFlight--;
  }
}

async function processDelivery(deps: DeliveryDeps, d: Delivery): Promise<void> {
  const decoded = decode(d.msg, deps);
  const fresh = d.attempt === 1 || d.replayId !== undefined;
  if (!fresh && (await deps.outcomes.isSettled(decoded, deps.fn.name))) return d.msg.ack(); // done before a crash
  let event = decoded;
  try {
    event = validate(decoded, deps);
    await runHandler(deps, event, d);
  } catch (err) {
    return failed(deps, event, d, err);
  }
  const outcome = outcomeOf(deps, event, d, { state: "succeeded" });
  // The record goes first on the wire: once the ack is in, a crash cannot make the event run again.
  await deps.writes.add(() => {
    deps.outcomes.recordQuickly(outcome);
    d.msg.ack();
  });
  deps.tally.succeeded++;
}

/** Never throws: whatever happens, the message is acked, naked, or dead-lettered. */
export async function deliver(msg: JsMsg, deps: DeliveryDeps): Promise<void> {
  const d: Delivery = {
    msg,
    attempt: msg.info.deliveryCount,
    replayId: msg.headers?.get(REPLAY_ID_HEADER) || undefined,
    results: [],
  };
  deps.tally.received++;
  try {
    await processDelivery(deps, d);
  } catch (err) {
    await settleUnexpected(deps, d, err);
  }
}

/** Undecodable messages are dead-lettered at once; anything else unexpected is retried, up to the last attempt. */
async function settleUnexpected(deps: DeliveryDeps, d: Delivery, err: unknown): Promise<void> {
  try {
    if (err instanceof IcnError && err.code === "BAD_EVENT") return await sendToDeadLetters(deps, d, err);
    // A failure that keeps escaping the handler's error path (a poison message) must end too.
    if (d.attempt >= (deps.fn.retry ?? deps.config.retry).attempts)
      return await sendToDeadLetters(deps, d, err);
    deps.log.error({ err, function: deps.fn.name }, "delivery failed; the message will be redelivered");
    d.msg.nak(backoffFor(deps.config.retry, d.attempt));
  } catch (inner) {
    deps.log.error(
      { err: inner, function: deps.fn.name },
      "could not settle the message; JetStream will redeliver it",
    );
  }
}
