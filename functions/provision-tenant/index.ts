// provision-tenant: on tenant.requested, namespaces whose pods the apiserver itself forces onto Kata.
import { tenantNamespaces } from "../../schemas/names.ts";
import { futureTimeReason } from "../../shared/clock.ts";
import { permanent } from "../../shared/errors.ts";
import { stableId } from "../../shared/events.ts";
import { defineFunction, type FunctionDefinition } from "../../shared/function.ts";
import { recordEvent } from "../../shared/kube-apply.ts";
import type { Kube } from "../../shared/kube.ts";
import type { RuntimeClasses } from "./admission-policies.ts";
import { checkRequestedClasses, verifyKataClasses } from "./kata-classes.ts";
import { optionsFromEnv, type ProvisionTenantOptions } from "./options.ts";
import { checkNamespaces, checkOwner, orderRequest, readTenantRecord, stampData } from "./ownership.ts";
import { applyPlan, plan } from "./provision.ts";
import type { TenantRequest } from "./tenant-objects.ts";

export { optionsFromEnv, type ProvisionTenantOptions } from "./options.ts";
export { FIELD_MANAGER, plan } from "./provision.ts";

/** The request's classes, or the platform's verified Kata classes; refused unless every one is verified Kata. */
async function runtimeClassesFor(
  kube: Kube,
  request: TenantRequest,
  options: ProvisionTenantOptions,
): Promise<{ classes: RuntimeClasses; kataClasses: string[] }> {
  const verified = await verifyKataClasses(kube, options.kata);
  const preferred = verified.kata.includes(options.defaultRuntimeClass)
    ? options.defaultRuntimeClass
    : verified.kata[0];
  const classes = request.runtimeClasses ?? {
    allowed: verified.kata,
    default: preferred ?? options.defaultRuntimeClass,
  };
  checkRequestedClasses(classes, verified);
  return { classes, kataClasses: verified.kata };
}

export function provisionTenant(
  options: ProvisionTenantOptions = optionsFromEnv(),
): FunctionDefinition<"tenant.requested"> {
  return defineFunction({
    name: "provision-tenant",
    on: "tenant.requested",
    emits: ["tenant.provisioned", "tenant.rejected"],
    rejects: "tenant.rejected",
    rejection: (event) => {
      const tenant = (event.data as { tenant?: unknown } | undefined)?.tenant;
      return typeof tenant === "string" && tenant.length <= 63 ? { tenant } : {};
    },
    concurrency: 4,
    handle: async (event, ctx) => {
      const request = event.data;
      const future = futureTimeReason(event.time, options.maxClockSkewMs);
      if (future) throw permanent("FUTURE_EVENT_TIME", future);
      const { classes, kataClasses } = await runtimeClassesFor(ctx.kube, request, options);
      const namespaces = tenantNamespaces(request.tenant, request.namespaces);
      const { adopted } = await checkNamespaces(ctx.kube, request.tenant, namespaces);
      const record = await readTenantRecord(ctx.kube, request.tenant);
      const owner = checkOwner(
        record,
        { tenant: request.tenant, source: event.source },
        options.tenantGrants,
      );
      const stamp = orderRequest(request.tenant, record, {
        id: event.id,
        time: event.time ?? "",
        sequence: ctx.sequence,
      });
      const tenantPlan = plan(
        request,
        classes,
        { identities: options.platformIdentities, kataClasses },
        stampData(stamp, owner),
      );
      const applied = await applyPlan(ctx.kube, tenantPlan, classes.default, adopted);
      for (const ns of namespaces) {
        const note = `${adopted.includes(ns) ? "adopted into" : "provisioned for"} tenant ${request.tenant} (request ${event.id})`;
        await recordEvent(
          ctx.kube,
          { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } },
          {
            reason: "TenantProvisioned",
            action: "Provision",
            note,
            controller: "provision-tenant",
            // One Event per (namespace, request): a retried or redelivered request records none again.
            name: `${ns}.provisioned-${stableId(event.source, event.id)}`,
          },
        );
      }
      ctx.log.info(
        { tenant: request.tenant, namespaces, adopted, objects: applied.length },
        "tenant provisioned",
      );
      await ctx.emit("tenant.provisioned", { tenant: request.tenant, namespaces, applied });
    },
  });
}
