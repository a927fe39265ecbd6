// Scrolling back through what the events stream stores: the newest matching events before a sequence.
import type { Session } from "../cli/context.ts";
import { readStored } from "../cli/stored.ts";
import { keeps, rowOf, subjectsOf, type EventRow, type RowFilter } from "./rows.ts";

export interface HistoryPage {
  rows: EventRow[];
  /** Pass as `before` for the page older than this one; absent when the stream holds nothing older. */
  older?: number;
}

/** How far one read looks back before it widens; a filter that matches little widens it a few times. */
const FIRST_WINDOW = 400;
const MAX_SCANNED = 20_000;

/** Matching rows among sequences [lo, hi], oldest first, and whether the window began before `since`. */
async function rowsBetween(
  session: Session,
  filter: RowFilter,
  lo: number,
  hi: number,
): Promise<{ rows: EventRow[]; beforeSince: boolean }> {
  const { js, jsm, config } = session;
  const rows: EventRow[] = [];
  let beforeSince = false;
  for await (const msg of readStored(js, jsm, config.eventsStream, {
    filter: subjectsOf(config.prefix, filter),
    startSeq: lo,
  })) {
    if (msg.seq > hi) break;
    if (filter.since && msg.time < filter.since) beforeSince = true;
    const row = rowOf(msg);
    if (keeps(filter, msg, row)) rows.push(row);
  }
  return { rows, beforeSince };
}

/**
 * Up to `limit` of the newest matching events stored before `before` (the stream's end when absent),
 * oldest first. JetStream reads forward only, so it reads windows backwards, each twice the last.
 */
export async function historyPage(
  session: Session,
  filter: RowFilter,
  opts: { before?: number; limit: number },
): Promise<HistoryPage> {
  const { state } = await session.jsm.streams.info(session.config.eventsStream);
  let hi = Math.min(opts.before ? opts.before - 1 : state.last_seq, state.last_seq);
  let window = FIRST_WINDOW;
  let rows: EventRow[] = [];
  let scanned = 0;
  let done = hi < state.first_seq;
  while (!done && rows.length < opts.limit && scanned < MAX_SCANNED) {
    const lo = Math.max(state.first_seq, hi - window + 1);
    const found = await rowsBetween(session, filter, lo, hi);
    rows = [...found.rows, ...rows];
    scanned += hi - lo + 1;
    hi = lo - 1;
    window *= 2;
    // At the stream's start, or before the time window's: nothing older can match.
    done = hi < state.first_seq || found.beforeSince;
  }
  const page = rows.slice(-opts.limit);
  if (rows.length > opts.limit) return { rows: page, older: page[0]?.seq };
  return { rows: page, older: done ? undefined : hi + 1 };
}
