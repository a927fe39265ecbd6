// provision-tenant: on tenant.requested, namespaces whose pods the apiserver itself forces onto Kata; a re-request reconciles.
import { tenantNamespaces } from "../../schemas/names.ts";
import { stableId } from "../../shared/events.ts";
import { defineFunction, type FunctionDefinition } from "../../shared/function.ts";
import { recordEvent } from "../../shared/kube-apply.ts";
import type { Kube } from "../../shared/kube.ts";
import {
  checkOwner,
  orderRequest,
  readTenantRecord,
  refuseFutureTime,
  rejectedTenant,
  stampData,
  tenantNamespacesOf,
} from "../../shared/tenant-record.ts";
import { runtimeClassesFor } from "./kata-classes.ts";
import { optionsFromEnv, type ProvisionTenantOptions } from "./options.ts";
import { checkNamespaces } from "./ownership.ts";
import { applyPlan, FIELD_MANAGER, plan } from "./provision.ts";
import { checkReleasable, releaseNamespace, releasePlan, removedRefs } from "./release.ts";

export { optionsFromEnv, type ProvisionTenantOptions } from "./options.ts";
export { FIELD_MANAGER, plan } from "./provision.ts";

async function recordProvisioned(
  kube: Kube,
  namespaces: readonly string[],
  adopted: readonly string[],
  cause: { tenant: string; source: string; id: string },
): Promise<void> {
  for (const ns of namespaces) {
    const note = `${adopted.includes(ns) ? "adopted into" : "provisioned for"} tenant ${cause.tenant} (request ${cause.id})`;
    await recordEvent(
      kube,
      { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } },
      {
        reason: "TenantProvisioned",
        action: "Provision",
        note,
        controller: "provision-tenant",
        // One Event per (namespace, request): a retried or redelivered request records none again.
        name: `${ns}.provisioned-${stableId(cause.source, cause.id)}`,
      },
    );
  }
}

export function provisionTenant(
  options: ProvisionTenantOptions = optionsFromEnv(),
): FunctionDefinition<"tenant.requested"> {
  return defineFunction({
    name: "provision-tenant",
    on: "tenant.requested",
    emits: ["tenant.provisioned", "tenant.rejected"],
    rejects: "tenant.rejected",
    rejection: rejectedTenant,
    concurrency: 4,
    // Room for a release's drain (up to 20 s of evictions) besides the enforcement probes.
    timeoutMs: 60_000,
    handle: async (event, ctx) => {
      const request = event.data;
      const { tenant } = request;
      refuseFutureTime(event.time, options);
      // Whose and how new first: a stale request is refused as stale, whatever else it would run into.
      const record = await readTenantRecord(ctx.kube, tenant);
      const owner = checkOwner(record, { tenant, source: event.source }, options.tenantGrants);
      const stamp = orderRequest(tenant, record, {
        id: event.id,
        time: event.time ?? "",
        sequence: ctx.sequence,
      });
      const { classes, kataClasses } = await runtimeClassesFor(ctx.kube, request, options);
      const namespaces = tenantNamespaces(tenant, request.namespaces);
      const { adopted } = await checkNamespaces(ctx.kube, tenant, namespaces);
      // What it drops: refused before any write when a namespace to release still runs pods.
      const releases = releasePlan(request, await tenantNamespacesOf(ctx.kube, tenant));
      const drain = request.release === "drain";
      await checkReleasable(ctx.kube, releases, drain);
      const tenantPlan = plan(
        request,
        classes,
        { identities: options.platformIdentities, kataClasses },
        stampData(stamp, owner),
      );
      const applied = await applyPlan(ctx.kube, tenantPlan, classes.default, adopted);
      await recordProvisioned(ctx.kube, namespaces, adopted, { tenant, source: event.source, id: event.id });
      const evicted: string[] = [];
      for (const release of releases) {
        const context = { tenant, source: event.source, requestId: event.id, drain };
        evicted.push(...(await releaseNamespace(ctx.kube, release, context, FIELD_MANAGER)));
      }
      const released = releases.map((r) => r.name);
      const removed = releases.flatMap(removedRefs);
      ctx.log.info({ tenant, namespaces, adopted, released, objects: applied.length }, "tenant provisioned");
      await ctx.emit("tenant.provisioned", {
        tenant,
        namespaces,
        applied,
        removed,
        ...(released.length ? { released } : {}),
        ...(evicted.length ? { evicted } : {}),
      });
    },
  });
}
