// Dead letters and replays from the console: what exactly would be sent to which function (shown before
// anyone confirms), then the CLI's own redrive and replay code, audited as the CLI audits them.
import { replaySubject } from "../shared/events.ts";
import { send } from "../cli/commands/replay.ts";
import { functionConsumers } from "../cli/consumers.ts";
import type { CliDeps, Session } from "../cli/context.ts";
import { getDeadLetter, listDeadLetters, type DeadLetter } from "../cli/dead-letters.ts";
import { notFound, usageError } from "../cli/errors.ts";
import { redrive, type RedriveResult } from "../cli/redrive.ts";
import { planReplay, type ReplayPlan } from "../cli/replay-plan.ts";
import { headerRecord } from "../cli/stored.ts";
import { rowOf, type EventRow } from "./rows.ts";

/** One delivery an action would make: this event, to this function, on this subject. */
export interface Delivery {
  eventId: string;
  type: string;
  function: string;
  subject: string;
}

export interface DeadLetterView {
  id: number;
  function: string;
  attempts: number;
  code: string;
  error: string;
  at: string;
  event: EventRow;
  headers?: Record<string, string[]>;
  payload?: string;
  /** What a redrive sends; absent when the message is not a readable event. */
  redrive?: Delivery;
}

const REDRIVE_TIMEOUT_MS = 30_000;

function viewOf(session: Session, letter: DeadLetter, full: boolean): DeadLetterView {
  const { event } = letter;
  const redrive =
    event.id && event.name
      ? {
          eventId: event.id,
          type: event.name,
          function: letter.function,
          subject: replaySubject(session.config.prefix, letter.function, event.name),
        }
      : undefined;
  const { id, function: fn, attempts, code, error, at } = letter;
  const base = { id, function: fn, attempts, code, error, at, event: rowOf(letter.stored), redrive };
  if (!full) return base;
  const payload = new TextDecoder().decode(letter.stored.data);
  return { ...base, headers: headerRecord(letter.stored.headers), payload };
}

export async function deadLetters(session: Session): Promise<DeadLetterView[]> {
  return (await listDeadLetters(session)).map((letter) => viewOf(session, letter, false));
}

async function letterOf(session: Session, id: number): Promise<DeadLetter> {
  const letter = await getDeadLetter(session, id);
  if (!letter) throw notFound(`there is no dead letter ${id}`, "it may have been redriven or purged");
  return letter;
}

export async function deadLetter(session: Session, id: number): Promise<DeadLetterView> {
  return viewOf(session, await letterOf(session, id), true);
}

/** The deps `send` audits with: the console's operator is who acted. */
const asOperator = (session: Session, operator: string): CliDeps => ({
  env: { ICN_OPERATOR: operator },
  openSession: () => Promise.resolve(session),
});

/** The CLI's redrive, which audits it (who, when, why, to which function) as `icnctl dlq redrive` does. */
export async function redriveDeadLetter(
  session: Session,
  request: { id: number; reason: string },
  operator: string,
): Promise<RedriveResult> {
  const letter = await letterOf(session, request.id);
  return redrive(session, letter, { timeoutMs: REDRIVE_TIMEOUT_MS, who: operator, reason: request.reason });
}

const deliveriesOf = (session: Session, plan: ReplayPlan): Delivery[] =>
  plan.events.flatMap((e) =>
    e.functions.map((fn) => ({
      eventId: e.id,
      type: e.name,
      function: fn,
      subject: replaySubject(session.config.prefix, fn, e.name),
    })),
  );

/** Which functions a replay of this stored event reaches (one, or every function that handles it). */
export async function replayPlanFor(session: Session, eventId: string, to?: string): Promise<Delivery[]> {
  return deliveriesOf(session, await planOf(session, eventId, to));
}

async function planOf(session: Session, eventId: string, to?: string): Promise<ReplayPlan> {
  const consumers = await functionConsumers(session.jsm, session.config.eventsStream);
  const plan = await planReplay(session, consumers, { ids: [eventId], to });
  const skipped = plan.skipped[0];
  if (skipped) throw usageError(`event ${eventId} cannot be replayed: ${skipped.why}`);
  if (plan.events.length === 0) throw notFound(`no stored input event has id ${eventId}`);
  return plan;
}

export async function replayEvent(
  session: Session,
  request: { eventId: string; to?: string; reason: string },
  operator: string,
): Promise<{ replayId: string; deliveries: Delivery[]; failed: number }> {
  if (!request.reason.trim()) throw usageError("a reason is required: every replay is audited");
  const plan = await planOf(session, request.eventId, request.to);
  const sent = await send(session, plan, asOperator(session, operator), request.reason);
  return {
    replayId: sent.record.replayId,
    deliveries: deliveriesOf(session, plan),
    failed: sent.failed.length,
  };
}
