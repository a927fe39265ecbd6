// A stored message seen as an event: its attributes, a one-line summary, and whether it concerns a tenant.
import { EVENT_NAMES, EVENTS, eventNameOfType, type EventName } from "../schemas/events.ts";
import { natsMsgToEvent } from "../shared/cloudevents/nats-binding.ts";
import { usageError } from "./errors.ts";
import type { Stored } from "./stored.ts";

/** `tenant.requested` or `org.akraino.icn.tenant.requested`: operators type the short one. */
export function resolveEventName(text: string, what = "event type"): EventName {
  if (Object.hasOwn(EVENTS, text)) return text as EventName;
  const name = eventNameOfType(text);
  if (name) return name;
  throw usageError(
    `unknown ${what} "${text}"`,
    `use one of ${EVENT_NAMES.join(", ")} (or the full CloudEvents type)`,
  );
}

export interface EventView {
  seq: number;
  subject: string;
  storedAt: string;
  id?: string;
  type?: string;
  name?: EventName;
  source?: string;
  time?: string;
  causeid?: string;
  data?: unknown;
  /** Why the message could not be read as a CloudEvent. */
  problem?: string;
}

export function viewOf(msg: Stored): EventView {
  const base = { seq: msg.seq, subject: msg.subject, storedAt: msg.time.toISOString() };
  try {
    const event = natsMsgToEvent(msg);
    const causeid = typeof event.causeid === "string" ? event.causeid : undefined;
    return {
      ...base,
      id: event.id,
      type: event.type,
      name: eventNameOfType(event.type),
      source: event.source,
      time: event.time,
      causeid,
      data: event.data,
    };
  } catch (err) {
    return { ...base, problem: err instanceof Error ? err.message : String(err) };
  }
}

const shortName = (view: EventView): string => view.name ?? view.type ?? "?";

function field(data: unknown, key: string): string | undefined {
  if (!data || typeof data !== "object") return undefined;
  const value = (data as Record<string, unknown>)[key];
  return typeof value === "string" ? value : undefined;
}

/** What the event is about, in the words an operator searches for. */
export function summary(data: unknown): string {
  const parts: string[] = [];
  const tenant = field(data, "tenant");
  const node = field(data, "node");
  const [namespace, pod] = [field(data, "namespace"), field(data, "pod")];
  if (tenant) parts.push(`tenant=${tenant}`);
  if (node) parts.push(`node=${node}`);
  if (namespace && pod) parts.push(`pod=${namespace}/${pod}`);
  else if (namespace) parts.push(`namespace=${namespace}`);
  const code = field(data, "code");
  if (code) parts.push(`code=${code}`);
  const reason = field(data, "reason");
  if (reason) parts.push(`reason=${JSON.stringify(reason)}`);
  return parts.join(" ");
}

/** `time  type  id  source  cause=…  summary`: one readable line per event. */
export function eventLine(view: EventView): string {
  if (view.problem)
    return `${view.storedAt}  ?  seq=${view.seq}  ${view.subject}  unreadable: ${view.problem}`;
  const cause = view.causeid ? `cause=${view.causeid}` : "";
  return [view.time ?? view.storedAt, shortName(view), view.id, view.source, cause, summary(view.data)]
    .filter(Boolean)
    .join("  ");
}

/** The record `tail --output json` prints per event. */
export function eventRecord(view: EventView): Record<string, unknown> {
  const { seq, subject, storedAt, id, type, source, time, causeid, data, problem } = view;
  return problem
    ? { seq, subject, storedAt, problem }
    : { seq, subject, storedAt, time, type, id, source, causeid, data };
}

/** An event concerns a tenant when its data names the tenant, or one of the tenant's namespaces. */
export function concernsTenant(view: EventView, tenant: string): boolean {
  if (field(view.data, "tenant") === tenant) return true;
  const namespace = field(view.data, "namespace");
  return namespace !== undefined && (namespace === tenant || namespace.startsWith(`${tenant}-`));
}
