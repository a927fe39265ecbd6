// An event as a row of the console's tables, and the filters the live table and the scroll-back share.
import { EVENT_NAMES, subjectOf } from "../schemas/events.ts";
import { concernsTenant, eventLine, resolveEventName, summary, viewOf } from "../cli/event-view.ts";
import type { Stored } from "../cli/stored.ts";
import { parseInstant } from "../cli/time.ts";

export interface EventRow {
  seq: number;
  storedAt: string;
  time?: string;
  name?: string;
  id?: string;
  source?: string;
  causeid?: string;
  summary: string;
  /** The line `icnctl tail` prints for it. */
  line: string;
  problem?: string;
  data?: unknown;
}

export interface RowFilter {
  type?: string;
  tenant?: string;
  source?: string;
  since?: Date;
  until?: Date;
}

export function rowOf(msg: Stored): EventRow {
  const view = viewOf(msg);
  return {
    seq: view.seq,
    storedAt: view.storedAt,
    time: view.time,
    name: view.name ?? view.type,
    id: view.id,
    source: view.source,
    causeid: view.causeid,
    summary: view.problem ? "" : summary(view.data),
    line: eventLine(view),
    problem: view.problem,
    data: view.data,
  };
}

const param = (query: URLSearchParams, name: string): string | undefined =>
  query.get(name)?.trim() || undefined;

/** The filter of a query string (type, tenant, source, since, until); a bad value is a usage error. */
export function filterOf(query: URLSearchParams): RowFilter {
  const type = param(query, "type");
  const since = param(query, "since");
  const until = param(query, "until");
  return {
    type: type && resolveEventName(type, "type"),
    tenant: param(query, "tenant"),
    source: param(query, "source"),
    since: since ? parseInstant(since, "since") : undefined,
    until: until ? parseInstant(until, "until") : undefined,
  };
}

/** The subjects a filter reads: one event type, or every one (never the `_replay` copies). */
export function subjectsOf(prefix: string, filter: RowFilter): string[] {
  const names = filter.type ? [resolveEventName(filter.type)] : EVENT_NAMES;
  return names.map((name) => subjectOf(prefix, name));
}

export function keeps(filter: RowFilter, msg: Stored, row: EventRow): boolean {
  if (filter.since && msg.time < filter.since) return false;
  if (filter.until && msg.time > filter.until) return false;
  if (filter.source && row.source !== filter.source) return false;
  if (!filter.tenant) return true;
  return concernsTenant(
    { seq: row.seq, subject: msg.subject, storedAt: row.storedAt, data: row.data },
    filter.tenant,
  );
}
