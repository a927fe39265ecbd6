// What a function emitted for an event, kept in its outcome record so "what was applied?" needs no
// search of the events stream; and the small record that lets a result's id name its cause.
import type { EventRef } from "./outcomes.ts";

/** A result event as its cause's outcome remembers it: id, CloudEvents type, and its data, summarised. */
export interface EmittedResult {
  id: string;
  type: string;
  data?: unknown;
}

/**
 * Stored under the result's own id (its key ends with the emitting function, which its NATS user may
 * write): `status <result-id>` and `GET /events/{result-id}` find the event it answers.
 */
export interface ResultOrigin {
  /** The result event. */
  event: EventRef;
  /** The function that emitted it. */
  function: string;
  /** The event it answers: its `causeid`, with that event's source and type. */
  cause: EventRef;
  data?: unknown;
  updatedAt: string;
}

/** The source of every result a function emits: the platform's, then the function's name. */
export const resultSource = (platformSource: string, fn: string): string => `${platformSource}/${fn}`;

export const isResultOrigin = (value: unknown): value is ResultOrigin =>
  typeof value === "object" && value !== null && "cause" in value && !("state" in value);

const MAX_TEXT = 200;
const MAX_ITEMS = 20;
const MAX_DEPTH = 3;
/** A summary larger than this keeps only the top level's short values. */
const MAX_SUMMARY_CHARS = 4096;

function shrink(value: unknown, depth: number): unknown {
  if (typeof value === "string") return value.length > MAX_TEXT ? `${value.slice(0, MAX_TEXT - 1)}…` : value;
  if (typeof value !== "object" || value === null) return value;
  if (depth >= MAX_DEPTH) return Array.isArray(value) ? `[${value.length} items]` : "{…}";
  if (Array.isArray(value)) {
    const kept = value.slice(0, MAX_ITEMS).map((item) => shrink(item, depth + 1));
    return value.length > MAX_ITEMS ? [...kept, `… ${value.length - MAX_ITEMS} more`] : kept;
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shrink(v, depth + 1)]));
}

/**
 * A result's data as its outcome keeps it: whole when small (results are: a tenant's namespaces and the
 * objects applied), else long strings and lists cut with how much was left out, so a record stays small.
 */
export function summarizeData(data: unknown): unknown {
  const shrunk = shrink(data, 0);
  if (JSON.stringify(shrunk ?? null).length <= MAX_SUMMARY_CHARS) return shrunk;
  if (typeof shrunk !== "object" || shrunk === null || Array.isArray(shrunk)) return "(too large to keep)";
  return Object.fromEntries(
    Object.entries(shrunk).map(([k, v]) => [k, typeof v === "object" && v !== null ? "(left out)" : v]),
  );
}
