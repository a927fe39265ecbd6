// What retiring a tenant touches, read from the cluster (an event is a hint): its namespaces, their pods, its bindings.
import type { KubernetesObject, V1Pod } from "@kubernetes/client-node";
import type { EventData } from "../../schemas/events.ts";
import { PLATFORM_NAMESPACE, TENANT_LABEL } from "../../schemas/names.ts";
import { classifyKubeError } from "../../shared/errors.ts";
import { readIfExists, refOf } from "../../shared/kube-apply.ts";
import type { Kube } from "../../shared/kube.ts";
import { paramsName, tenantNamespacesOf } from "../../shared/tenant-record.ts";
import { livePods, podRef, tenantObjectRefs } from "../../shared/tenant-release.ts";
import { stateName } from "../../shared/tenant-state.ts";

const ADMISSION = "admissionregistration.k8s.io/v1";
const BINDING_KINDS = ["MutatingAdmissionPolicyBinding", "ValidatingAdmissionPolicyBinding"] as const;

export interface RetirePlan {
  tenant: string;
  /** keep: namespaces — released, not deleted. */
  keep: boolean;
  /** The namespaces its record listed when the retire began, and any that carry its label now. */
  namespaces: string[];
  /** Of those, the ones that exist and are still the tenant's. */
  existing: string[];
  /** Of those, the ones not being deleted yet: where pods could still be created. */
  open: string[];
  /** The tenant's policy bindings (by its label; the parameter anchors carry none): removed after its namespaces. */
  bindings: KubernetesObject[];
  /** Its state ConfigMap: the retire writes it (retiring) if the tenant had none, and removes it. */
  state: KubernetesObject;
  /** Its record: kept, stripped of its parameters, so that no older request brings the tenant back. */
  record: KubernetesObject;
}

const configMap = (name: string): KubernetesObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace: PLATFORM_NAMESPACE },
});

/** The tenant's admission-policy bindings, found by its label, as references enough to delete them. */
export async function tenantBindings(kube: Kube, tenant: string): Promise<KubernetesObject[]> {
  const found: KubernetesObject[] = [];
  for (const kind of BINDING_KINDS) {
    try {
      const list = await kube.objects.list(
        ADMISSION,
        kind,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        `${TENANT_LABEL}=${tenant}`,
      );
      found.push(
        ...list.items.map((item) => ({
          apiVersion: ADMISSION,
          kind,
          metadata: { name: item.metadata?.name ?? "" },
        })),
      );
    } catch (err) {
      throw classifyKubeError(err, `list the ${kind}s of tenant ${tenant}`);
    }
  }
  return found;
}

/** The namespace, if it is still the tenant's: one released already (a resumed retire) is done, one made since is not its. */
async function stillTenants(kube: Kube, name: string, tenant: string): Promise<KubernetesObject | undefined> {
  const ref: KubernetesObject = { apiVersion: "v1", kind: "Namespace", metadata: { name } };
  const ns = await readIfExists(kube, ref);
  return ns?.metadata?.labels?.[TENANT_LABEL] === tenant ? ns : undefined;
}

export async function planRetire(
  kube: Kube,
  tenant: string,
  recorded: readonly string[],
  keep: boolean,
): Promise<RetirePlan> {
  const namespaces = [...new Set([...recorded, ...(await tenantNamespacesOf(kube, tenant))])].sort();
  const found = await Promise.all(namespaces.map((name) => stillTenants(kube, name, tenant)));
  const existing = namespaces.filter((_, i) => found[i]);
  // A terminating namespace admits no pod at all: no probe can prove anything there (a retire resumed after its delete).
  const open = namespaces.filter((_, i) => found[i] && !found[i]?.metadata?.deletionTimestamp);
  return {
    tenant,
    keep,
    namespaces,
    existing,
    open,
    bindings: await tenantBindings(kube, tenant),
    state: configMap(stateName(tenant)),
    record: configMap(paramsName(tenant)),
  };
}

/** The tenant's pods that run or will, in every namespace that still exists. */
export async function podsOf(kube: Kube, plan: RetirePlan): Promise<V1Pod[]> {
  const pods: V1Pod[] = [];
  for (const namespace of plan.existing) pods.push(...(await livePods(kube, namespace)));
  return pods;
}

export type Retired = EventData<"tenant.retired">;

/** What tenant.retired says: the same lists whether the retire ran or (dryRun) only looked. */
export function retiredData(
  plan: RetirePlan,
  pods: { evicted: readonly string[]; deleted: readonly string[] },
  dryRun: boolean,
): Retired {
  const inNamespaces = plan.keep
    ? plan.namespaces.flatMap((ns) => {
        const refs = tenantObjectRefs(ns);
        return [refs.admins, ...refs.confinement].map(refOf);
      })
    : plan.namespaces.map((ns) => `Namespace/${ns}`);
  const kept = plan.keep ? plan.namespaces.map((ns) => `Namespace/${ns}`) : [];
  return {
    tenant: plan.tenant,
    dryRun,
    namespaces: plan.namespaces,
    removed: [...inNamespaces, ...plan.bindings.map(refOf), refOf(plan.state)],
    kept: [...kept, refOf(plan.record)],
    ...(pods.evicted.length ? { evicted: [...pods.evicted] } : {}),
    ...(pods.deleted.length ? { deletedPods: [...pods.deleted] } : {}),
  };
}

export { podRef };
