// Redriving one dead letter: send it to its function again, wait for the outcome, then tidy the DLQ.
import { randomBytes } from "node:crypto";
import { replaySubject } from "../shared/events.ts";
import { DLQ_HEADERS } from "../shared/host/dead-letter.ts";
import { REPLAY_ID_HEADER } from "../shared/host/delivery.ts";
import { REDRIVE_ID_PREFIX } from "../shared/host/outcome-history.ts";
import type { Outcome, OutcomeStore } from "../shared/host/outcomes.ts";
import { recordAudit } from "./audit.ts";
import type { Session } from "./context.ts";
import { deadLetterFilter, type DeadLetter } from "./dead-letters.ts";
import { republish } from "./republish.ts";
import { readStored } from "./stored.ts";

export const REDRIVE_RESULTS = {
  resolved: "the function handled it; the dead letter is deleted",
  "failed-again": "it was dead-lettered again; the original dead letter is kept",
  "timed-out": "no outcome in time; the dead letter is kept",
  "not-redrivable": "not a readable event; nothing was sent",
} as const;
export type RedriveResultKind = keyof typeof REDRIVE_RESULTS;

export interface RedriveResult {
  id: number;
  eventId?: string;
  function: string;
  redriveId?: string;
  result: RedriveResultKind;
  state?: Outcome["state"];
  error?: string;
}

const FINAL: ReadonlySet<Outcome["state"]> = new Set(["succeeded", "rejected", "dead-lettered"]);
const POLL_MS = 100;

/**
 * The outcome the redrive produced: a final state recorded after the one read just before sending.
 * Comparing with that record, not with this machine's clock, keeps a skewed host clock harmless.
 */
interface Awaited {
  event: { id: string; source: string };
  fn: string;
  /** updatedAt of the record before the redrive, if there was one. */
  before: string | undefined;
}

async function awaitOutcome(
  outcomes: OutcomeStore,
  { event, fn, before }: Awaited,
  timeoutMs: number,
): Promise<Outcome | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const outcome = await outcomes.get(event, fn);
    if (outcome && FINAL.has(outcome.state) && outcome.updatedAt !== before) return outcome;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return undefined;
}

/** The dead letter the redrive itself produced: it carries the redrive's replay id. */
async function deleteRepeat(session: Session, letter: DeadLetter, redriveId: string): Promise<void> {
  const { js, jsm, config } = session;
  const filter = [deadLetterFilter(config, letter.function)];
  for await (const msg of readStored(js, jsm, config.deadLetterStream, { filter, startSeq: letter.id + 1 })) {
    if (msg.headers?.get(REPLAY_ID_HEADER) === redriveId)
      await jsm.streams.deleteMessage(config.deadLetterStream, msg.seq);
  }
}

export interface RedriveOptions {
  timeoutMs: number;
  /** The operator: audited, and named in the event's outcome history. */
  who: string;
  reason: string;
}

/** Where the dead letter came from in the events stream, for the audit record. */
const originalSeq = (letter: DeadLetter): number =>
  Number(letter.stored.headers?.get(DLQ_HEADERS.streamSeq)) || 0;

export async function redrive(
  session: Session,
  letter: DeadLetter,
  { timeoutMs, who, reason }: RedriveOptions,
): Promise<RedriveResult> {
  const { event } = letter;
  const base = { id: letter.id, eventId: event.id, function: letter.function };
  if (!event.id || !event.source || !event.name)
    return { ...base, result: "not-redrivable", error: event.problem ?? "unknown event type" };
  const { js, jsm, config } = session;
  const outcomes = await session.outcomes();
  const ref = { id: event.id, source: event.source };
  const before = (await outcomes.get(ref, letter.function))?.updatedAt;
  const redriveId = `${REDRIVE_ID_PREFIX}${letter.id}-${randomBytes(4).toString("hex")}`;
  const subject = replaySubject(config.prefix, letter.function, event.name);
  await republish(js, letter.stored, {
    subject,
    replayId: redriveId,
    msgId: redriveId,
    drop: Object.values(DLQ_HEADERS),
    by: who,
    reason,
  });
  // Audited once sent, as a replay is: whatever the outcome, the event went to the function again.
  await recordAudit(js, jsm, config.prefix, {
    kind: "redrive",
    replayId: redriveId,
    who,
    at: new Date().toISOString(),
    reason,
    to: [letter.function],
    events: [{ seq: originalSeq(letter), id: event.id, type: event.name }],
    deadLetter: letter.id,
  });
  const outcome = await awaitOutcome(outcomes, { event: ref, fn: letter.function, before }, timeoutMs);
  const seen = {
    ...base,
    redriveId,
    state: outcome?.state,
    error: outcome?.error && `${outcome.error.code}: ${outcome.error.message}`,
  };
  if (!outcome) return { ...seen, result: "timed-out" };
  if (outcome.state === "dead-lettered") {
    await deleteRepeat(session, letter, redriveId);
    return { ...seen, result: "failed-again" };
  }
  await jsm.streams.deleteMessage(config.deadLetterStream, letter.id);
  return { ...seen, result: "resolved" };
}
