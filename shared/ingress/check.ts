// Decides about one arriving event: is it a valid CloudEvent, may this source send it, does its data fit the schema?
import type { CloudEvent } from "cloudevents";
import {
  eventNameOfType,
  isResultEvent,
  parseEventData,
  type EventData,
  type EventName,
} from "../../schemas/events.ts";
import { isBindingError } from "../cloudevents/binding-error.ts";
import { buildEvent } from "../cloudevents/build-event.ts";
import {
  CONTEXT_ATTRIBUTES,
  assertAttributeName,
  assertExtensionValue,
  assertStringValue,
} from "../cloudevents/event-attributes.ts";
import { isJsonContentType } from "../cloudevents/event-data.ts";
import { futureTimeReason } from "../clock.ts";
import { tenantMatches } from "../tenant-grants.ts";
import { mayUseSource } from "./auth.ts";
import type { Candidate, Issue } from "./decode.ts";
import type { IngressSource } from "./sources.ts";

/** What an event is checked against: who sent it, and the clock, read once per request so a batch shares it. */
export interface CheckContext {
  source: IngressSource;
  now: number;
  /** How far ahead of `now` an event `time` may be. */
  maxClockSkewMs: number;
}

export interface Verdict {
  /** Set only when there is nothing wrong with the event. */
  event?: CloudEvent<unknown>;
  /** Problems of the request itself: 400. */
  invalid: Issue[];
  /** Things this source may not do: 403. */
  forbidden: Issue[];
}

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i;
const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

function requiredString(c: Candidate, name: string): Issue | undefined {
  const value = c.attributes.get(name);
  if (value === undefined) return { path: c.where(name), message: "required" };
  if (typeof value !== "string" || value === "")
    return { path: c.where(name), message: "must be a non-empty string" };
  return undefined;
}

/** The attributes whose values the binding alone would not check the way this ingress needs. */
function valueProblem(name: string, value: unknown): string | undefined {
  if (name === "specversion" && value !== "1.0") return `must be "1.0", got ${JSON.stringify(value)}`;
  const isString = typeof value === "string";
  if (name === "time" && !(isString && RFC3339.test(value) && !Number.isNaN(Date.parse(value))))
    return "must be an RFC 3339 timestamp";
  if (name === "datacontenttype" && !(isString && isJsonContentType(value)))
    return "data must be JSON (application/json)";
  return undefined;
}

/** The spec's rules for every attribute: its name, and the types and characters of its value. */
function specProblem(name: string, value: unknown): string | undefined {
  try {
    assertAttributeName(name);
    if (typeof value === "string") assertStringValue(name, value);
    else if (!CONTEXT_ATTRIBUTES.has(name)) assertExtensionValue(name, value);
  } catch (err) {
    return messageOf(err);
  }
  return undefined;
}

/** Each attribute is checked on its own, so every bad one is named, not only the first. */
function attributeIssue(c: Candidate, name: string, value: unknown): Issue | undefined {
  if (value === undefined) return undefined; // reported where it was decoded
  const message = valueProblem(name, value) ?? specProblem(name, value);
  return message ? { path: c.where(name), message } : undefined;
}

/** A far-future time would outrank every later request for the same tenant (provision-tenant orders by time). */
function futureTimeIssue(c: Candidate, clock: CheckContext): Issue | undefined {
  const time = c.attributes.get("time");
  const reason =
    typeof time === "string" ? futureTimeReason(time, clock.maxClockSkewMs, clock.now) : undefined;
  return reason ? { path: c.where("time"), message: reason } : undefined;
}

function envelopeIssues(c: Candidate, clock: CheckContext): Issue[] {
  const required = ["specversion", "id", "source", "type"].map((name) => requiredString(c, name));
  const attributes = [...c.attributes].map(([name, value]) => attributeIssue(c, name, value));
  const all = [...required, ...attributes, futureTimeIssue(c, clock)];
  const issues = all.filter((i): i is Issue => i !== undefined);
  // One problem per place: a missing id need not also be "not a string".
  return issues.filter((issue, i) => issues.findIndex((other) => other.path === issue.path) === i);
}

function typeVerdict(c: Candidate, source: IngressSource, v: Verdict): EventName | undefined {
  const type = c.attributes.get("type");
  if (typeof type !== "string" || type === "") return undefined;
  const name = eventNameOfType(type);
  const allowed = [...source.allowedTypes].join(", ");
  if (!name) v.invalid.push({ path: c.where("type"), message: `unknown event type "${type}"` });
  else if (isResultEvent(name))
    v.forbidden.push({
      path: c.where("type"),
      message: `"${type}" is a result event; only the platform emits it`,
    });
  else if (!source.allowedTypes.has(name))
    v.forbidden.push({
      path: c.where("type"),
      message: `source "${source.name}" may not publish "${type}" (only ${allowed})`,
    });
  else return name;
  return undefined;
}

function sourceVerdict(c: Candidate, source: IngressSource, v: Verdict): void {
  const eventSource = c.attributes.get("source");
  if (typeof eventSource !== "string" || eventSource === "" || mayUseSource(source, eventSource)) return;
  const message = `"${eventSource}" is not a source of "${source.name}" (its events come from ${source.sourcePattern} or below)`;
  v.forbidden.push({ path: c.where("source"), message });
}

/** A source configured with `tenants` may send events only for those tenants (docs/SECURITY.md: who may change a tenant). */
function tenantVerdict(c: Candidate, source: IngressSource, tenant: string, v: Verdict): void {
  if (!source.tenants || tenantMatches(source.tenants, tenant)) return;
  const message = `source "${source.name}" may not request tenant "${tenant}" (only ${source.tenants.join(", ")})`;
  v.forbidden.push({ path: `${c.dataPath}.tenant`, message });
}

function dataVerdict(c: Candidate, name: EventName, source: IngressSource, v: Verdict): void {
  const parsed = parseEventData(name, c.data);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({
      path: [c.dataPath, ...i.path.map(String)].join("."),
      message: i.message,
    }));
    v.invalid.push(...issues);
  } else if (name.startsWith("tenant.")) {
    // Every tenant event (requested, cordon, uncordon, retire) names its tenant; the same grant covers them all.
    tenantVerdict(c, source, (parsed.data as EventData<"tenant.requested">).tenant, v);
  }
}

export function checkCandidate(c: Candidate, context: CheckContext): Verdict {
  const { source } = context;
  const v: Verdict = { invalid: [...c.issues, ...envelopeIssues(c, context)], forbidden: [] };
  const name = typeVerdict(c, source, v);
  sourceVerdict(c, source, v);
  if (name) dataVerdict(c, name, source, v);
  if (v.invalid.length || v.forbidden.length) return v;
  try {
    v.event = buildEvent(c.attributes, () => c.data);
  } catch (err) {
    v.invalid.push({
      path: c.where("event").replace(/^ce-/, ""),
      message: isBindingError(err) ? err.message : messageOf(err),
    });
  }
  return v;
}
