// One delivery of one message to one target (a function, or a webhook): decode, accept, handle, then
// ack, retry or dead-letter.
import type { CloudEvent } from "cloudevents";
import type { JsMsg } from "@nats-io/jetstream";
import { DEFAULT_TIMEOUT_MS } from "../function.ts";
import { natsMsgHeaders, natsMsgToEvent } from "../cloudevents/nats-headers.ts";
import { backoffFor } from "../config.ts";
import { isTransient, permanent } from "../errors.ts";
import { attemptAfter, crashLoop } from "./attempts.ts";
import { makeContext } from "./context.ts";
import { withDeadline } from "./deadline.ts";
import { isSettled } from "./outcomes.ts";
import {
  failed,
  outcomeOf,
  retryOf,
  settleUnexpected,
  type Delivery,
  type DeliveryDeps,
  type Lease,
} from "./settle.ts";

export type { DeliveryDeps } from "./settle.ts";

/** Header a replay or redrive carries, so its results are new events rather than repeats. */
export const REPLAY_ID_HEADER = "Icn-Replay-Id";
const REPLAY_ID_KEY = REPLAY_ID_HEADER.toLowerCase();

/** The event, and the replay id beside it: both are read from one pass over the headers. */
function decode(d: Delivery, deps: DeliveryDeps): CloudEvent<unknown> {
  try {
    const headers = natsMsgHeaders(d.msg);
    d.replayId = headers.get(REPLAY_ID_KEY) || undefined;
    return natsMsgToEvent(d.msg, { maxBytes: deps.config.maxPayloadBytes }, headers);
  } catch (err) {
    throw permanent("BAD_EVENT", err instanceof Error ? err.message : String(err), err);
  }
}

/** Best effort: a handler that is still running loses nothing when this record is not stored. */
async function markReceived(deps: DeliveryDeps, event: CloudEvent<unknown>, d: Delivery): Promise<void> {
  try {
    await deps.outcomes.record(outcomeOf(deps, event, d, { state: "received" }));
  } catch (err) {
    deps.log.warn({ err, eventId: event.id, function: deps.fn.name }, "could not record received");
  }
}

async function runHandler(deps: DeliveryDeps, event: CloudEvent<unknown>, d: Delivery): Promise<void> {
  const { tally } = deps;
  const started = performance.now();
  const lease: Lease = { since: started, markReceived: () => markReceived(deps, event, d) };
  deps.leases.set(d.msg, lease);
  tally.inFlight++;
  const seconds = (): number => (performance.now() - started) / 1000;
  try {
    await withDeadline(
      (signal) => {
        const ctx = makeContext(deps, event, { ...d, sequence: d.msg.info.streamSequence, signal });
        return deps.fn.handle(event, ctx);
      },
      deps.fn.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      deps.signal,
    );
    tally.observe("succeeded", seconds());
  } catch (err) {
    tally.observe(isTransient(err) ? "failed" : "rejected", seconds());
    throw err;
  } finally {
    deps.leases.delete(d.msg);
    tally.inFlight--;
    if (lease.received) await lease.received;
  }
}

async function processDelivery(deps: DeliveryDeps, d: Delivery): Promise<void> {
  const decoded = decode(d, deps);
  if (d.deliveries > 1 && d.replayId === undefined) {
    const prior = await deps.outcomes.get(decoded, deps.fn.name);
    if (isSettled(prior)) return d.msg.ack(); // done before a crash
    if (prior?.state === "dead-lettered") return d.msg.term("dead-lettered before a crash");
    d.attempt = attemptAfter(prior);
  }
  const loop = crashLoop(d.deliveries, retryOf(deps));
  if (loop) return failed(deps, decoded, d, loop);
  let event = decoded;
  try {
    event = deps.fn.accept(decoded);
    await runHandler(deps, event, d);
  } catch (err) {
    return failed(deps, event, d, err);
  }
  const outcome = outcomeOf(deps, event, d, { state: "succeeded" });
  try {
    // Acked only once the outcome is stored: an acked event must have its outcome.
    await deps.writes.add(() => deps.outcomes.store(outcome));
  } catch (err) {
    deps.log.warn({ err, eventId: event.id, function: deps.fn.name }, "outcome not stored; redelivering");
    return d.msg.nak(backoffFor(retryOf(deps), d.attempt));
  }
  d.msg.ack();
  deps.tally.succeeded++;
}

/** Never throws: whatever happens, the message is acked, naked, or dead-lettered. */
export async function deliver(msg: JsMsg, deps: DeliveryDeps): Promise<void> {
  const d: Delivery = {
    msg,
    // A replay's own deliveries count as before: its outcome record is the original run's.
    attempt: msg.info.deliveryCount,
    deliveries: msg.info.deliveryCount,
    results: [],
  };
  deps.tally.received++;
  try {
    await processDelivery(deps, d);
  } catch (err) {
    await settleUnexpected(deps, d, err);
  }
}
