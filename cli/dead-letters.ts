// Dead letters as the operator sees them: the DLQ stream sequence is the id, the DLQ headers say why.
import { DLQ_HEADERS } from "../shared/host/dead-letter.ts";
import { deadLetterSubject } from "../shared/host/streams.ts";
import { isStreamMissing, type Session } from "./context.ts";
import { viewOf, type EventView } from "./event-view.ts";
import { collect, fromStoredMsg, readStored, type Stored } from "./stored.ts";

export interface DeadLetter {
  /** The dead letter's sequence in the DLQ stream: what `dlq show|redrive` take. */
  id: number;
  function: string;
  attempts: number;
  code: string;
  error: string;
  /** When it was dead-lettered. */
  at: string;
  /** The subject the original message arrived on. */
  originalSubject: string;
  event: EventView;
  stored: Stored;
}

export function deadLetterOf(stored: Stored): DeadLetter {
  const header = (name: string): string => stored.headers?.get(name) ?? "";
  return {
    id: stored.seq,
    function: header(DLQ_HEADERS.function),
    attempts: Number(header(DLQ_HEADERS.attempts)) || 0,
    code: header(DLQ_HEADERS.code),
    error: header(DLQ_HEADERS.error),
    at: header(DLQ_HEADERS.at) || stored.time.toISOString(),
    originalSubject: header(DLQ_HEADERS.subject),
    event: viewOf(stored),
    stored,
  };
}

/** `dlq.<prefix>.<function>`, or every function's when none is named. */
export function deadLetterFilter(config: Session["config"], fn?: string): string {
  return fn ? deadLetterSubject(config, fn) : `dlq.${config.prefix}.>`;
}

export async function listDeadLetters(session: Session, fn?: string): Promise<DeadLetter[]> {
  const { js, jsm, config } = session;
  try {
    const stored = await collect(
      readStored(js, jsm, config.deadLetterStream, { filter: [deadLetterFilter(config, fn)] }),
    );
    return stored.map(deadLetterOf);
  } catch (err) {
    if (isStreamMissing(err)) return [];
    throw err;
  }
}

/** Undefined when there is no such sequence, or it is not one of this prefix's dead letters. */
export async function getDeadLetter(session: Session, id: number): Promise<DeadLetter | undefined> {
  const { jsm, config } = session;
  const msg = await jsm.streams.getMessage(config.deadLetterStream, { seq: id }).catch((err: unknown) => {
    if (isStreamMissing(err)) return null;
    throw err;
  });
  if (!msg || !msg.subject.startsWith(`dlq.${config.prefix}.`)) return undefined;
  return deadLetterOf(fromStoredMsg(msg));
}

/** How many dead letters each function has, from the stream's per-subject counts. */
export async function deadLetterCounts(session: Session): Promise<Map<string, number>> {
  const { jsm, config } = session;
  const counts = new Map<string, number>();
  const info = await jsm.streams
    .info(config.deadLetterStream, { subjects_filter: deadLetterFilter(config) })
    .catch((err: unknown) => {
      if (isStreamMissing(err)) return undefined;
      throw err;
    });
  for (const [subject, count] of Object.entries(info?.state.subjects ?? {}))
    counts.set(subject.slice(`dlq.${config.prefix}.`.length), count);
  return counts;
}

/** The newest dead letter of a function: its error is the "last error" of `icnctl status`. */
export async function newestDeadLetter(session: Session, fn: string): Promise<DeadLetter | undefined> {
  const { jsm, config } = session;
  const msg = await jsm.streams
    .getMessage(config.deadLetterStream, { last_by_subj: deadLetterSubject(config, fn) })
    .catch(() => null);
  return msg ? deadLetterOf(fromStoredMsg(msg)) : undefined;
}
