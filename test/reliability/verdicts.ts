// What became of one hostile case: accepted, or refused with a typed code and a reason; anything else is a defect.
import fc from "fast-check";
import { performance } from "node:perf_hooks";
import {
  isDns1123Label,
  isDns1123Subdomain,
  isReservedName,
  isSystemIdentity,
  isTenantNamespace,
} from "../../schemas/names.ts";
import { eventNameOfType, parseEventData, type EventName } from "../../schemas/events.ts";
import {
  BINDING_ERROR_CODES,
  isBindingError,
  NatsBinding,
  type NatsMessage,
} from "../../shared/cloudevents/nats-binding.ts";

export type Verdict = { accepted: true } | { accepted: false; code: string; reason: string };

/** Tallies verdicts by code and keeps the slowest case's time. */
export class Tally {
  readonly counts: Record<string, number> = {};
  cases = 0;
  slowestMs = 0;

  add(verdict: Verdict, ms: number): void {
    const key = verdict.accepted ? "accepted" : verdict.code;
    this.counts[key] = (this.counts[key] ?? 0) + 1;
    this.cases++;
    this.slowestMs = Math.max(this.slowestMs, ms);
  }
}

export function timed<T>(run: () => T): { value: T; ms: number } {
  const started = performance.now();
  const value = run();
  return { value, ms: performance.now() - started };
}

/** A broken invariant of accepted data (a reserved or look-alike name got through), or undefined. */
export function unsafeAcceptance(name: EventName, data: unknown): string | undefined {
  const d = data as Record<string, unknown>;
  if (name === "tenant.requested") {
    const tenant = String(d.tenant);
    if (!isDns1123Label(tenant) || isReservedName(tenant)) return `tenant ${JSON.stringify(tenant)} accepted`;
    const namespaces = (d.namespaces as string[] | undefined) ?? [];
    const bad = namespaces.find(
      (ns) => !isDns1123Label(ns) || isReservedName(ns) || !isTenantNamespace(ns, tenant),
    );
    if (bad !== undefined) return `namespace ${JSON.stringify(bad)} accepted for tenant ${tenant}`;
    const admins = d.admins as { name: string }[];
    if (admins.some((a) => isSystemIdentity(a.name))) return "a system:* admin accepted";
  }
  if (name === "pod.unsafe" && (!isDns1123Label(String(d.namespace)) || !isDns1123Subdomain(String(d.pod))))
    return `pod ${JSON.stringify(d.namespace)}/${JSON.stringify(d.pod)} accepted`;
  return undefined;
}

/** The schema's verdict; an acceptance that breaks an invariant throws, failing the property. */
export function schemaVerdict(name: EventName, data: unknown): Verdict {
  const parsed = parseEventData(name, data);
  if (parsed.success) {
    const broken = unsafeAcceptance(name, parsed.data);
    if (broken) throw new Error(`${name}: ${broken}`);
    return { accepted: true };
  }
  const reason = parsed.error.issues.map((i) => i.message).join("; ");
  if (!parsed.error.issues.length || parsed.error.issues.some((i) => !i.message))
    throw new Error(`${name}: refused without a reason`);
  return { accepted: false, code: "SCHEMA_INVALID", reason };
}

/** The host's path for a message: the binding decodes it, the schema of its type judges the data. */
export function messageVerdict(message: NatsMessage, maxBytes: number): Verdict {
  let event;
  try {
    event = NatsBinding.toEvent(message, { maxBytes });
  } catch (err) {
    // Only the binding's typed refusals count; a TypeError or RangeError escaping is a crash.
    if (!isBindingError(err) || !(err.code in BINDING_ERROR_CODES) || !err.message) throw err;
    return { accepted: false, code: err.code, reason: err.message };
  }
  const name = eventNameOfType(event.type);
  if (!name)
    return { accepted: false, code: "WRONG_EVENT_TYPE", reason: `no function handles ${event.type}` };
  return schemaVerdict(name, event.data);
}

/**
 * Runs a property without shrinking (hostile values are large, and shrinking them can take longer
 * than the run) and fails with a short summary that still reproduces: seed and path.
 */
export async function holds(property: Parameters<typeof fc.check>[0], numRuns: number): Promise<void> {
  const run = await fc.check(property, { numRuns, endOnFailure: true });
  if (!run.failed) return;
  const example = JSON.stringify(run.counterexample, (_k, v: unknown) =>
    v instanceof Uint8Array ? Buffer.from(v).toString("latin1") : v,
  );
  throw new Error(
    `failed after ${run.numRuns} cases (seed ${run.seed}${"path" in run ? `, path "${String(run.path)}"` : ""}): ${String(run.errorInstance).slice(0, 600)}\ncounterexample (cut): ${example?.slice(0, 600)}`,
  );
}
