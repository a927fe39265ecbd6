// Which stored events a replay sends, and to which functions: selectors in, a plan (and what was skipped) out.
import { EVENT_NAMES, inputsOf, isResultEvent, subjectOf, type EventName } from "../schemas/events.ts";
import type { Session } from "./context.ts";
import { handles, type FunctionConsumer } from "./consumers.ts";
import { notFound } from "./errors.ts";
import { viewOf } from "./event-view.ts";
import { progress } from "./output.ts";
import { readStored, type Stored } from "./stored.ts";

export interface ReplaySelector {
  ids: readonly string[];
  since?: Date;
  until?: Date;
  fromSeq?: number;
  toSeq?: number;
  type?: EventName;
  /** Only this function; otherwise every function whose consumer takes the event's subject. */
  to?: string;
}

export interface PlannedEvent {
  seq: number;
  id: string;
  type: string;
  name: EventName;
  functions: string[];
  stored: Stored;
}

export interface SkippedEvent {
  seq: number;
  id?: string;
  type?: string;
  why: string;
}

export interface ReplayPlan {
  events: PlannedEvent[];
  skipped: SkippedEvent[];
  /** Ids asked for with --id that no stored event has. */
  missing: string[];
}

function pastEnd(msg: Stored, sel: ReplaySelector): boolean {
  return (
    (sel.toSeq !== undefined && msg.seq > sel.toSeq) || (sel.until !== undefined && msg.time > sel.until)
  );
}

function wanted(msg: Stored, id: string | undefined, sel: ReplaySelector): boolean {
  if (sel.since && msg.time < sel.since) return false;
  return sel.ids.length === 0 || (id !== undefined && sel.ids.includes(id));
}

type Verdict = { functions: string[] } | { why: string };

function targetsOf(
  name: EventName,
  subject: string,
  consumers: readonly FunctionConsumer[],
  sel: ReplaySelector,
): Verdict {
  if (isResultEvent(name))
    return {
      why: `${name} is a result event; replay its cause (the ${inputsOf(name).join(" or ")} whose id is its causeid)`,
    };
  const functions = consumers
    .filter((fn) => (!sel.to || fn.name === sel.to) && handles(fn, subject))
    .map((fn) => fn.name);
  if (functions.length) return { functions };
  return { why: sel.to ? `${sel.to} does not handle ${name}` : `no function handles ${name}` };
}

/** Files one stored message of the selection under events (with its functions) or skipped (with why). */
function classify(
  msg: Stored,
  consumers: readonly FunctionConsumer[],
  sel: ReplaySelector,
  plan: ReplayPlan,
): void {
  const view = viewOf(msg);
  if (!wanted(msg, view.id, sel)) return;
  if (!view.id || !view.name || !view.type) {
    plan.skipped.push({
      seq: msg.seq,
      id: view.id,
      type: view.type,
      why: `not a readable event (${view.problem ?? "unknown type"})`,
    });
    return;
  }
  const verdict = targetsOf(view.name, msg.subject, consumers, sel);
  if ("why" in verdict) plan.skipped.push({ seq: msg.seq, id: view.id, type: view.name, why: verdict.why });
  else
    plan.events.push({
      seq: msg.seq,
      id: view.id,
      type: view.type,
      name: view.name,
      functions: verdict.functions,
      stored: msg,
    });
}

/** Reads the events stream once, from the first selected position to the last. */
export async function planReplay(
  session: Session,
  consumers: readonly FunctionConsumer[],
  sel: ReplaySelector,
): Promise<ReplayPlan> {
  const { js, jsm, config } = session;
  if (sel.to && !consumers.some((fn) => fn.name === sel.to))
    throw notFound(
      `no function "${sel.to}" consumes ${config.eventsStream}`,
      `known: ${consumers.map((fn) => fn.name).join(", ") || "none (has a host run?)"}`,
    );
  // Original events only: replays of replays (the `_replay` subjects) would compound.
  const filter = (sel.type ? [sel.type] : EVENT_NAMES).map((name) => subjectOf(config.prefix, name));
  const from = { filter, startSeq: sel.fromSeq, startTime: sel.fromSeq ? undefined : sel.since };
  const plan: ReplayPlan = { events: [], skipped: [], missing: [] };
  let scanned = 0;
  for await (const msg of readStored(js, jsm, config.eventsStream, from)) {
    if (++scanned % 1000 === 0) progress(`scanned ${scanned} events`);
    if (pastEnd(msg, sel)) break;
    classify(msg, consumers, sel, plan);
  }
  const seen = new Set([...plan.events.map((e) => e.id), ...plan.skipped.map((e) => e.id)]);
  plan.missing = sel.ids.filter((id) => !seen.has(id));
  return plan;
}
