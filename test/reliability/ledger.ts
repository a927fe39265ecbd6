// The accounting of a run: what became of every event, and how many side effects the cluster shows for it.
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import type { NatsConnection } from "@nats-io/transport-node";
import { setTimeout as sleep } from "node:timers/promises";
import type { RuntimeConfig } from "../../shared/config.ts";
import type { Outcome, OutcomeState, OutcomeStore } from "../../shared/host/outcomes.ts";
import {
  namespacesByTenant,
  outcomeRecordCount,
  provisionEventsByRequest,
  quarantineEventsByPod,
  resultsByCause,
} from "./counts.ts";
import type { Expected, Workload } from "./workload.ts";

const FINAL: readonly OutcomeState[] = ["succeeded", "rejected", "dead-lettered"];

export interface Settlement {
  outcomes: Map<Expected, Outcome>;
  /** Events with no final outcome when the wait ended: lost. */
  pending: Expected[];
  states: Record<string, number>;
  /** Final outcomes by state, and refusals/dead letters by error code (e.g. "rejected STALE_REQUEST"). */
  reasons: Record<string, number>;
  /** Most deliveries any one event took. */
  maxAttempts: number;
  /** Why the first dead-lettered event was given up on, to read in the figures. */
  firstDeadLetter?: string;
}

async function finalOutcome(store: OutcomeStore, e: Expected): Promise<Outcome | undefined> {
  const outcome = await store.get(e.event, e.fn).catch(() => undefined); // a NATS failover: ask again later
  return outcome && FINAL.includes(outcome.state) ? outcome : undefined;
}

/** Polls only what is still open, until every event has a final outcome or the time is up. */
export async function awaitOutcomes(
  store: OutcomeStore,
  expected: readonly Expected[],
  timeoutMs: number,
): Promise<Settlement> {
  const outcomes = new Map<Expected, Outcome>();
  let pending = [...expected];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const still: Expected[] = [];
    for (let i = 0; i < pending.length; i += 200) {
      const batch = pending.slice(i, i + 200);
      const found = await Promise.all(batch.map((e) => finalOutcome(store, e)));
      batch.forEach((e, j) => (found[j] ? outcomes.set(e, found[j]) : still.push(e)));
    }
    pending = still;
    if (pending.length === 0 || Date.now() > deadline) break;
    await sleep(1000);
  }
  const states: Record<string, number> = {};
  const reasons: Record<string, number> = {};
  let maxAttempts = 0;
  for (const o of outcomes.values()) {
    states[o.state] = (states[o.state] ?? 0) + 1;
    if (o.error) reasons[`${o.state} ${o.error.code}`] = (reasons[`${o.state} ${o.error.code}`] ?? 0) + 1;
    maxAttempts = Math.max(maxAttempts, o.attempts);
  }
  const dead = [...outcomes].find(([, o]) => o.state === "dead-lettered");
  const firstDeadLetter = dead && `${dead[0].fn}: ${dead[1].error?.message ?? ""}`.slice(0, 300);
  return { outcomes, pending, states, reasons, maxAttempts, firstDeadLetter };
}

export interface Audit {
  lost: number;
  duplicates: number;
  details: Record<string, number>;
}

export interface AuditInput {
  workload: Workload;
  settlement: Settlement;
  results: Map<string, number>;
  outcomeRecords: number;
  quarantineEvents: Map<string, number>;
  tenantNamespaces: Map<string, number>;
  provisionEvents: Map<string, number>;
}

const sumOver = <T>(items: Iterable<T>, f: (item: T) => number): number => {
  let sum = 0;
  for (const item of items) sum += f(item);
  return sum;
};

/** Lost: no final outcome, or settled without its result or its Kubernetes object. Duplicates: anything more than once. */
export function audit(input: AuditInput): Audit {
  const { workload, settlement, results } = input;
  // A success always has a result; a refusal only from a function that emits one (provision-tenant).
  const answered = [...settlement.outcomes]
    .filter(([e, o]) => o.state === "succeeded" || (o.state === "rejected" && e.fn === "provision-tenant"))
    .map(([e]) => e);
  const succeededTenants = new Set(
    [...settlement.outcomes]
      .filter(([e, o]) => e.fn === "provision-tenant" && o.state === "succeeded")
      .map(([e]) => (e.event.data as { tenant: string }).tenant),
  );
  const requests = [...settlement.outcomes]
    .filter(([e, o]) => e.fn === "provision-tenant" && o.state === "succeeded")
    .map(([e]) => e);
  const reportedPods = new Set(
    [...settlement.outcomes]
      .filter(([e, o]) => e.fn === "quarantine-runc-pod" && o.state === "succeeded")
      .map(([e]) => (e.event.data as { pod: string }).pod),
  );
  const quarantinedPods = workload.pods.filter((p) => reportedPods.has(p.metadata?.name ?? ""));
  const details = {
    eventsWithoutOutcome: settlement.pending.length,
    resultsMissing: answered.filter((e) => !results.get(e.event.id)).length,
    resultsDuplicated: sumOver(results.values(), (n) => Math.max(0, n - 1)),
    tenantsWithoutNamespace: [...succeededTenants].filter((t) => !input.tenantNamespaces.get(t)).length,
    namespacesDuplicated: sumOver(input.tenantNamespaces.values(), (n) => Math.max(0, n - 1)),
    podsWithoutQuarantineEvent: quarantinedPods.filter(
      (p) => !input.quarantineEvents.get(p.metadata?.uid ?? ""),
    ).length,
    quarantineEventsDuplicated: sumOver(input.quarantineEvents.values(), (n) => Math.max(0, n - 1)),
    requestsWithoutProvisionEvent: requests.filter((e) => !input.provisionEvents.get(e.event.id)).length,
    provisionEventsDuplicated: sumOver(input.provisionEvents.values(), (n) => Math.max(0, n - 1)),
    outcomeRecords: input.outcomeRecords,
    outcomeRecordsExtra: Math.max(0, input.outcomeRecords - workload.events.length),
  };
  return {
    lost:
      details.eventsWithoutOutcome +
      details.resultsMissing +
      details.tenantsWithoutNamespace +
      details.podsWithoutQuarantineEvent +
      details.requestsWithoutProvisionEvent,
    duplicates:
      details.resultsDuplicated +
      details.namespacesDuplicated +
      details.quarantineEventsDuplicated +
      details.provisionEventsDuplicated +
      details.outcomeRecordsExtra,
    details,
  };
}

/** Reads everything the audit needs from the bus and the cluster, then audits. */
export async function auditRun(
  nc: NatsConnection,
  config: RuntimeConfig,
  kc: KubeConfig,
  run: { workload: Workload; settlement: Settlement },
): Promise<Audit> {
  return audit({
    ...run,
    results: await resultsByCause(nc, config.eventsStream, config.prefix),
    outcomeRecords: await outcomeRecordCount(nc, config.outcomesBucket),
    quarantineEvents: await quarantineEventsByPod(kc, run.workload.podNamespace),
    tenantNamespaces: await namespacesByTenant(kc.makeApiClient(CoreV1Api), run.workload.tenants),
    // provision-tenant's namespaces here are the tenants' own (a request names no extra ones).
    provisionEvents: await provisionEventsByRequest(kc, run.workload.tenants),
  });
}
