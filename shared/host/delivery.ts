// One delivery of one message to one target (a function, or a webhook), in the order it happens:
// headers read once, the event decoded, its attempt counted, accepted, handled under a deadline, settled.
import type { CloudEvent } from "cloudevents";
import type { JsMsg } from "@nats-io/jetstream";
import { eventFrom } from "../cloudevents/nats-binding.ts";
import { readHeaders } from "../cloudevents/nats-headers.ts";
import { RECEIVED_AFTER_MS, type RetryPolicy } from "../config.ts";
import { isTransient, permanent } from "../errors.ts";
import { DEFAULT_TIMEOUT_MS } from "../function.ts";
import { attemptAfter, crashLoop } from "./attempts.ts";
import { makeContext, type ContextDeps } from "./context.ts";
import type { EmittedResult } from "./emitted.ts";
import { withDeadline } from "./deadline.ts";
import type { FunctionTally } from "./metrics.ts";
import { viaOf, type Via } from "./outcome-history.ts";
import { isSettled, type Outcome, type OutcomeStore } from "./outcomes.ts";
import { recordReceived, settleFailure, settleSuccess, settleUnexpected } from "./settle.ts";
import type { DeliveryTarget } from "./target.ts";
import type { WriteBatch } from "./write-batch.ts";

export interface DeliveryDeps extends ContextDeps {
  fn: DeliveryTarget;
  /** The target's own retry policy, else the host's. */
  retry: RetryPolicy;
  outcomes: OutcomeStore;
  tally: FunctionTally;
  writes: WriteBatch;
}

export interface Delivery {
  msg: JsMsg;
  /** This try at the handler: failures recorded so far, plus one (see attempts.ts). */
  attempt: number;
  /** JetStream's count: crashes and lost leases included. */
  deliveries: number;
  replayId?: string;
  /** The replay or redrive, with who sent it why (from the headers it carries). */
  via?: Via;
  /** Ids of the results emitted so far. */
  results: string[];
  /** Those results' types and data, for the outcome record. */
  emitted: EmittedResult[];
  /** The record this delivery's records follow: their history grows from it (outcome-history.ts). */
  prior?: Outcome;
  /** The `received` record of a handler that ran long, being stored: the final record waits for it. */
  received?: Promise<void>;
  /** Why the attempt before this one failed: a `received` record keeps showing it while this one runs. */
  lastError?: { code: string; message: string };
}

/** Header a replay or redrive carries, so its results are new events rather than repeats. */
export const REPLAY_ID_HEADER = "Icn-Replay-Id";
const REPLAY_ID_KEY = REPLAY_ID_HEADER.toLowerCase();
/** Who sent a replay or redrive, and why (percent-encoded): the outcome's history names them. */
export const REPLAY_BY_HEADER = "Icn-Replay-By";
export const REPLAY_REASON_HEADER = "Icn-Replay-Reason";

function decodedHeader(headers: Map<string, string>, name: string): string | undefined {
  const value = headers.get(name.toLowerCase());
  if (!value) return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The event, and the replay id beside it, from one reading of the headers. */
function decode(delivery: Delivery, deps: DeliveryDeps): CloudEvent<unknown> {
  try {
    const headers = readHeaders(delivery.msg);
    delivery.replayId = headers.get(REPLAY_ID_KEY) || undefined;
    if (delivery.replayId) {
      const [by, reason] = [REPLAY_BY_HEADER, REPLAY_REASON_HEADER].map((h) => decodedHeader(headers, h));
      delivery.via = viaOf(delivery.replayId, by, reason);
    }
    return eventFrom(headers, delivery.msg.data, { maxBytes: deps.config.maxPayloadBytes });
  } catch (err) {
    throw permanent("BAD_EVENT", err instanceof Error ? err.message : String(err), err);
  }
}

async function runHandler(deps: DeliveryDeps, event: CloudEvent<unknown>, delivery: Delivery): Promise<void> {
  const { tally } = deps;
  const started = performance.now();
  // A handler still running after a second says so, once: "what became of event X?" then has an answer.
  const slow = setTimeout(() => {
    delivery.received = recordReceived(deps, event, delivery);
  }, RECEIVED_AFTER_MS);
  tally.inFlight++;
  const seconds = (): number => (performance.now() - started) / 1000;
  try {
    await withDeadline(
      (signal) => {
        const meta = { ...delivery, sequence: delivery.msg.info.streamSequence, signal };
        const ctx = makeContext(deps, event, meta);
        return deps.kube.withSignal(signal, () => deps.fn.handle(event, ctx));
      },
      deps.fn.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      deps.signal,
    );
    tally.observe("succeeded", seconds());
  } catch (err) {
    tally.observe(isTransient(err) ? "failed" : "rejected", seconds());
    throw err;
  } finally {
    clearTimeout(slow);
    tally.inFlight--;
    if (delivery.received) await delivery.received;
  }
}

async function runDelivery(deps: DeliveryDeps, delivery: Delivery): Promise<void> {
  const decoded = decode(delivery, deps);
  if (delivery.replayId !== undefined) {
    // Rare, so worth a read: a replay's record keeps the history it follows (a redrive, the dead letter).
    delivery.prior = await deps.outcomes.get(decoded, deps.fn.name).catch(() => undefined);
  } else if (delivery.deliveries > 1) {
    const prior = await deps.outcomes.get(decoded, deps.fn.name);
    if (isSettled(prior)) return delivery.msg.ack(); // done before a crash
    if (prior?.state === "dead-lettered") return delivery.msg.term("dead-lettered before a crash");
    delivery.attempt = attemptAfter(prior);
    delivery.lastError = prior?.error;
    delivery.prior = prior;
  }
  const loop = crashLoop(delivery.deliveries, deps.retry);
  if (loop) return settleFailure(deps, decoded, delivery, loop);
  let event = decoded;
  try {
    event = deps.fn.accept(decoded);
    await runHandler(deps, event, delivery);
  } catch (err) {
    return settleFailure(deps, event, delivery, err);
  }
  return settleSuccess(deps, event, delivery);
}

/** Never throws: whatever happens, the message is acked, naked, or dead-lettered. */
export async function deliver(msg: JsMsg, deps: DeliveryDeps): Promise<void> {
  const delivery: Delivery = {
    msg,
    // A replay's own deliveries count as before: its outcome record is the original run's.
    attempt: msg.info.deliveryCount,
    deliveries: msg.info.deliveryCount,
    results: [],
    emitted: [],
  };
  deps.tally.received++;
  try {
    await runDelivery(deps, delivery);
  } catch (err) {
    await settleUnexpected(deps, delivery, err);
  }
}
