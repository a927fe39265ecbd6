// provision-tenant: on tenant.requested, namespaces whose pods the apiserver itself forces onto Kata.
import type { KubernetesObject } from "@kubernetes/client-node";
import { PLATFORM_NAMESPACE, tenantNamespaces } from "../../schemas/names.ts";
import { stableId } from "../../shared/events.ts";
import { defineFunction, type FunctionDefinition } from "../../shared/function.ts";
import { apply, MANAGED_BY, recordEvent, refOf } from "../../shared/kube-apply.ts";
import type { Kube } from "../../shared/kube.ts";
import { sharedPolicies, tenantBindings, tenantParams, type RuntimeClasses } from "./admission-policies.ts";
import { checkOwnership, orderRequest, stampData } from "./ownership.ts";
import { namespaceContents, namespaceObject, type TenantRequest } from "./tenant-objects.ts";

export const FIELD_MANAGER = "icn-provision-tenant";

export interface ProvisionTenantOptions {
  /** Users allowed past tamper protection: the functions' own identities. */
  platformIdentities: readonly string[];
  /** Used when a request names no runtime classes. */
  defaultRuntimeClasses: RuntimeClasses;
}

export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): ProvisionTenantOptions {
  const list = (value: string | undefined, fallback: string[]): string[] =>
    value
      ? value
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean)
      : fallback;
  const allowed = list(env.ICN_KATA_RUNTIME_CLASSES, ["kata-qemu", "kata-clh"]);
  return {
    platformIdentities: list(
      env.ICN_PLATFORM_IDENTITIES,
      ["provision-tenant", "label-kata-node", "quarantine-runc-pod"].map(
        (fn) => `system:serviceaccount:${PLATFORM_NAMESPACE}:${fn}`,
      ),
    ),
    defaultRuntimeClasses: { allowed, default: env.ICN_DEFAULT_RUNTIME_CLASS ?? allowed[0] ?? "kata-qemu" },
  };
}

/** Everything one request applies, in an order that never leaves a namespace unguarded. */
export function plan(
  request: TenantRequest,
  options: ProvisionTenantOptions,
  stamp: Record<string, string>,
): KubernetesObject[] {
  const classes = request.runtimeClasses ?? options.defaultRuntimeClasses;
  const namespaces = tenantNamespaces(request.tenant, request.namespaces);
  return [
    {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: PLATFORM_NAMESPACE, labels: { ...MANAGED_BY } },
    },
    tenantParams(request.tenant, classes, stamp),
    ...sharedPolicies(options.platformIdentities),
    // Bindings select namespaces by the tenant label, so they exist before any namespace carries it.
    ...tenantBindings(request.tenant),
    ...namespaces.flatMap((ns) => [namespaceObject(request.tenant, ns), ...namespaceContents(request, ns)]),
  ];
}

async function applyAll(kube: Kube, objects: KubernetesObject[]): Promise<string[]> {
  const applied: string[] = [];
  for (const obj of objects) {
    await apply(kube, obj, FIELD_MANAGER);
    applied.push(refOf(obj));
  }
  return applied;
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
      const namespaces = tenantNamespaces(request.tenant, request.namespaces);
      const { adopted } = await checkOwnership(ctx.kube, request.tenant, namespaces);
      const stamp = await orderRequest(ctx.kube, request.tenant, {
        id: event.id,
        time: event.time ?? "",
        sequence: ctx.sequence,
      });
      const applied = await applyAll(ctx.kube, plan(request, options, stampData(stamp)));
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
