// What one tenant request writes, and the order that never lets a tenant admin in before the apiserver confines them.
import type { KubernetesObject } from "@kubernetes/client-node";
import { ADOPT_LABEL, PLATFORM_NAMESPACE, tenantNamespaces } from "../../schemas/names.ts";
import { apply, applyOwned, MANAGED_BY, refOf, removeLabel } from "../../shared/kube-apply.ts";
import type { Kube } from "../../shared/kube.ts";
import { protectionData } from "../../shared/tenant-record.ts";
import { sharedPolicies, tenantBindings, tenantParams, type RuntimeClasses } from "./admission-policies.ts";
import { verifyEnforced } from "./enforcement.ts";
import { adminBinding, confinement, namespaceObject, type TenantRequest } from "./tenant-objects.ts";

export const FIELD_MANAGER = "icn-provision-tenant";

export interface NamespaceSteps {
  name: string;
  /** The labelled namespace, then what confines it. */
  confine: KubernetesObject[];
  /** Applied only once the apiserver is seen enforcing the tenant's policies in the namespace. */
  admins: KubernetesObject;
}

export interface TenantPlan {
  /** Cluster-wide policies, the tenant's parameters and bindings: all before any namespace carries its label. */
  cluster: KubernetesObject[];
  namespaces: NamespaceSteps[];
}

export function plan(
  request: TenantRequest,
  classes: RuntimeClasses,
  platform: { identities: readonly string[]; kataClasses: readonly string[] },
  record: Record<string, string>,
): TenantPlan {
  return {
    cluster: [
      {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: PLATFORM_NAMESPACE, labels: { ...MANAGED_BY } },
      },
      // The record keeps the request's deletion protection, which retire-tenant reads.
      tenantParams(request.tenant, classes, { ...record, ...protectionData(request) }),
      ...sharedPolicies(platform.identities, platform.kataClasses),
      ...tenantBindings(request.tenant),
    ],
    namespaces: tenantNamespaces(request.tenant, request.namespaces).map((name) => ({
      name,
      confine: [namespaceObject(request.tenant, name), ...confinement(request, name)],
      admins: adminBinding(request, name),
    })),
  };
}

// A Namespace keeps what others set on it (an operator's labels); everything else the platform names, it owns whole.
async function write(kube: Kube, obj: KubernetesObject): Promise<string> {
  if (obj.kind === "Namespace") await apply(kube, obj, FIELD_MANAGER);
  else await applyOwned(kube, obj, FIELD_MANAGER);
  return refOf(obj);
}

/** Applies the plan; returns what it applied. Adopted namespaces lose the operator's approval label once theirs. */
export async function applyPlan(
  kube: Kube,
  tenantPlan: TenantPlan,
  defaultClass: string,
  adopted: readonly string[],
): Promise<string[]> {
  const applied: string[] = [];
  for (const obj of tenantPlan.cluster) applied.push(await write(kube, obj));
  for (const ns of tenantPlan.namespaces) {
    for (const obj of ns.confine) applied.push(await write(kube, obj));
    await verifyEnforced(kube, ns.name, defaultClass);
    applied.push(await write(kube, ns.admins));
    if (adopted.includes(ns.name))
      await removeLabel(kube, ns.confine[0] as KubernetesObject, ADOPT_LABEL, FIELD_MANAGER);
  }
  return applied;
}
