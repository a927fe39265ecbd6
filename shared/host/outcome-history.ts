// How an (event, function) got to its latest state: the transitions before it, few and small, so the
// outcome record stays one small KV value. Pure: the CLI, the ingress and the console read it alike.
import type { Outcome, OutcomeState } from "./outcomes.ts";

/**
 * Transitions kept before the current one: a default run (9 attempts: 8 retries, then a dead letter) and
 * a redrive or two after it fit; older ones are only counted (`earlier`). About 80 bytes each.
 */
export const HISTORY_LIMIT = 12;

/** Replay ids of redrives start so (cli/redrive.ts); every other replay id is a replay's. */
export const REDRIVE_ID_PREFIX = "redrive-";

/** Operator names and reasons travel in headers and records: long ones are cut. */
export const MAX_BY_LENGTH = 100;
export const MAX_REASON_LENGTH = 200;

/** A replay or a redrive that brought the event to the function again, and who sent it why. */
export interface Via {
  kind: "replay" | "redrive";
  /** The replay id: `icnctl replay log` lists it with the audit record. */
  id: string;
  by?: string;
  reason?: string;
}

export interface Transition {
  at: string;
  state: OutcomeState;
  attempt: number;
  /** The error's code; the message is the current record's alone. */
  code?: string;
  via?: Via;
}

const cut = (text: string | undefined, max: number): string | undefined =>
  text ? (text.length > max ? `${text.slice(0, max - 1)}…` : text) : undefined;

/** From the headers a replayed message carries (the id, and the operator and reason when given). */
export function viaOf(id: string, by?: string, reason?: string): Via {
  const via: Via = { kind: id.startsWith(REDRIVE_ID_PREFIX) ? "redrive" : "replay", id };
  const [who, why] = [cut(by, MAX_BY_LENGTH), cut(reason, MAX_REASON_LENGTH)];
  if (who) via.by = who;
  if (why) via.reason = why;
  return via;
}

/** A record, seen as one step of its own history. */
export function transitionOf(outcome: Outcome): Transition {
  const step: Transition = { at: outcome.updatedAt, state: outcome.state, attempt: outcome.attempts };
  if (outcome.error) step.code = outcome.error.code;
  if (outcome.via) step.via = outcome.via;
  return step;
}

/**
 * The history of the record that follows `prior` on attempt `attempt` (through `via`): prior's history
 * plus prior itself, the oldest dropped past HISTORY_LIMIT. A `received` prior of that same attempt only
 * said the handler was still running, and the new record says how it ended: it is left out.
 */
export function historyAfter(
  prior: Outcome | undefined,
  attempt: number,
  via?: Via,
): Pick<Outcome, "history" | "earlier"> {
  if (!prior) return {};
  const history = [...(prior.history ?? [])];
  const superseded = prior.state === "received" && prior.attempts === attempt && prior.via?.id === via?.id;
  if (!superseded) history.push(transitionOf(prior));
  const dropped = Math.max(0, history.length - HISTORY_LIMIT);
  const earlier = (prior.earlier ?? 0) + dropped;
  const kept = dropped ? history.slice(dropped) : history;
  const result: Pick<Outcome, "history" | "earlier"> = {};
  if (kept.length) result.history = kept;
  if (earlier) result.earlier = earlier;
  return result;
}

/** The whole story, oldest first, ending with the current record; `earlier` transitions were not kept. */
export function transitionsOf(outcome: Outcome): { transitions: Transition[]; earlier: number } {
  return {
    transitions: [...(outcome.history ?? []), transitionOf(outcome)],
    earlier: outcome.earlier ?? 0,
  };
}

/** `redrive by alice: "OPS-7: apiserver back"`: how a replayed step came about, in one line. */
export function describeVia(via: Via | undefined): string {
  if (!via) return "";
  const who = via.by ? ` by ${via.by}` : "";
  const why = via.reason ? `: ${JSON.stringify(via.reason)}` : "";
  return `${via.kind}${who}${why}`;
}
