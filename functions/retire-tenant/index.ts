// retire-tenant: on tenant.retire-requested, offboard a tenant in an order that never leaves a namespace unguarded.
//
// cordon (state `retiring`) → evict its pods (PodDisruptionBudgets hold; deleted at the deadline) → delete its
// namespaces, or release them (keep: namespaces) → remove its policy bindings and state → its record, stripped of
// its parameters, stays as a tombstone. The record is marked first: a redelivered retire resumes from it.
import type { EventData } from "../../schemas/events.ts";
import { MAX_EVICTION_DEADLINE_SECONDS } from "../../schemas/tenant-events.ts";
import { permanent } from "../../shared/errors.ts";
import { defineFunction, type FunctionDefinition } from "../../shared/function.ts";
import { eventNameFor, recordEvent } from "../../shared/kube-apply.ts";
import type { Kube } from "../../shared/kube.ts";
import {
  checkOwner,
  orderRequest,
  paramsName,
  readConfigMapData,
  readTenantRecord,
  refuseFutureTime,
  rejectedTenant,
  tenantChangeOptionsFromEnv,
  tenantNamespacesOf,
  type TenantChangeOptions,
  type TenantRecord,
} from "../../shared/tenant-record.ts";
import { requireCordonBinding, stateName, type StateChange } from "../../shared/tenant-state.ts";
import { planRetire, podsOf, podRef, retiredData, type Retired } from "./plan.ts";
import { markRetired, markRetiring, recordedResult, retireMarkOf } from "./record.ts";
import { deleteNamespaces, evictPods, freeze, releaseNamespaces, unbind } from "./steps.ts";

export { tenantChangeOptionsFromEnv as optionsFromEnv } from "../../shared/tenant-record.ts";
export const FIELD_MANAGER = "icn-retire-tenant";
export const DEFAULT_EVICTION_DEADLINE_SECONDS = 30;

type RetireRequest = EventData<"tenant.retire-requested">;

/** The record, if the tenant exists; refused unless this source owns it and the request is the newest of all its events. */
async function admit(kube: Kube, change: StateChange, options: TenantChangeOptions): Promise<TenantRecord> {
  const { tenant } = change;
  refuseFutureTime(change.time, options);
  const record = await readTenantRecord(kube, tenant);
  if (!record)
    throw permanent(
      "NOT_FOUND",
      `tenant ${tenant} does not exist (no record ${paramsName(tenant)}); nothing was changed`,
    );
  checkOwner(record, change, options.tenantGrants);
  // Ordered against every tenant event: its requests (the record) and its cordons (the state).
  orderRequest(tenant, record, change);
  orderRequest(tenant, (await readConfigMapData(kube, stateName(tenant)))?.data, change);
  if (record.lifecycle === "retired" && record.lastRequestId !== change.id)
    throw permanent(
      "NOT_FOUND",
      `tenant ${tenant} was retired already (request ${record.lastRequestId ?? ""}); nothing was changed`,
    );
  if (record.deletionProtection === "true" && !record.lifecycle)
    throw permanent(
      "DELETION_PROTECTED",
      `tenant ${tenant} is protected from deletion (its request sets protection.deletion); to retire it, send its tenant.requested again without that, then this; nothing was changed`,
    );
  return record;
}

/** Steps 1 to 4 (see the top of this file); every one of them finds its own work done when run again. */
async function retire(
  kube: Kube,
  request: RetireRequest,
  change: StateChange,
  record: TenantRecord,
): Promise<Retired> {
  const keep = request.keep === "namespaces";
  const marked = retireMarkOf(record);
  // Refused before the record is marked: a tenant that cannot be frozen must not be left retiring.
  if (!marked) await requireCordonBinding(kube, change.tenant);
  const recorded = marked?.namespaces ?? (await tenantNamespacesOf(kube, change.tenant));
  const mark = await markRetiring(kube, change, recorded, FIELD_MANAGER);
  const plan = await planRetire(kube, change.tenant, mark.namespaces, keep);
  await freeze(kube, plan, change, FIELD_MANAGER);
  const seconds = request.evictionDeadlineSeconds ?? DEFAULT_EVICTION_DEADLINE_SECONDS;
  const pods = await evictPods(kube, plan, mark.since + seconds * 1000);
  if (keep)
    await releaseNamespaces(kube, plan, { source: change.source, requestId: change.id }, FIELD_MANAGER);
  else await deleteNamespaces(kube, plan);
  await unbind(kube, plan);
  const result = retiredData(plan, pods, false);
  await markRetired(kube, change.tenant, result, FIELD_MANAGER);
  await recordEvent(kube, plan.record, {
    reason: "TenantRetired",
    action: "Retire",
    note: `tenant ${change.tenant} retired by ${change.source} (request ${change.id}): ${keep ? "namespaces released" : "namespaces deleted"}, bindings and parameters removed; this record keeps its place in time`,
    controller: "retire-tenant",
    name: eventNameFor(paramsName(change.tenant), "retired", change.source, change.id),
  });
  return result;
}

export function retireTenant(
  options: TenantChangeOptions = tenantChangeOptionsFromEnv(),
): FunctionDefinition<"tenant.retire-requested"> {
  return defineFunction({
    name: "retire-tenant",
    on: "tenant.retire-requested",
    emits: ["tenant.retired", "tenant.rejected"],
    rejects: "tenant.rejected",
    rejection: rejectedTenant,
    concurrency: 4,
    // The eviction deadline at its longest, then the namespaces' deletion and the probes.
    timeoutMs: (MAX_EVICTION_DEADLINE_SECONDS + 180) * 1000,
    handle: async (event, ctx) => {
      const request = event.data;
      const { tenant } = request;
      const reason = request.reason ?? `retired by ${event.source}`;
      const change = {
        tenant,
        reason,
        source: event.source,
        id: event.id,
        time: event.time ?? "",
        sequence: ctx.sequence,
      };
      const record = await admit(ctx.kube, change, options);
      const done = recordedResult(record);
      if (done) return ctx.emit("tenant.retired", done);
      if (request.dryRun) {
        const plan = await planRetire(
          ctx.kube,
          tenant,
          retireMarkOf(record)?.namespaces ?? [],
          request.keep === "namespaces",
        );
        const pods = (await podsOf(ctx.kube, plan)).map(podRef);
        return ctx.emit("tenant.retired", retiredData(plan, { evicted: pods, deleted: [] }, true));
      }
      const result = await retire(ctx.kube, request, change, record);
      ctx.log.info(
        { tenant, namespaces: result.namespaces, removed: result.removed.length },
        "tenant retired",
      );
      await ctx.emit("tenant.retired", result);
    },
  });
}
