// Releasing a namespace from its tenant (kept, not deleted) in an order that lets no pod escape Kata: a re-request that
// drops it (provision-tenant) and a retire that keeps the namespaces (retire-tenant) both release this way.
//
// The attacker is a tenant admin who keeps pods running in the namespace being released: by hand, through a
// Deployment whose ReplicaSet recreates every evicted pod, or through a RoleBinding of their own under another name.
// While the namespace carries the tenant label, the Kata floor, the tenant's class policies and tamper protection
// hold; the moment it loses the label, none do. So the label goes LAST, and before it goes:
//   1. freeze: the label icn.akraino.org/released-from, whose cluster-wide policy refuses every new or changed pod
//      but the platform's (proven by a probe) and stays after the release, so a leftover Deployment or RoleBinding
//      can never start a pod, runc or not, in a namespace no policy confines any more;
//   2. unbind the tenant's admins; 3. drain (release: drain) or refuse; 4. delete what confined the tenant there;
//   5. a Warning Event; 6. remove the tenant label.
// Label first would let the still-bound admin, or the ReplicaSet, create a runc pod, and delete the quota and the
// isolation policy (tamper protection selects by that label) before the platform could.
import type { KubernetesObject, V1Pod } from "@kubernetes/client-node";
import { RELEASED_LABEL, TENANT_LABEL } from "../schemas/names.ts";
import { refusedWith, waitForProbe } from "./enforcement-probe.ts";
import { classifyKubeError, IcnError, permanent } from "./errors.ts";
import { apply, deleteIfPresent, eventNameFor, recordEvent, removeLabel } from "./kube-apply.ts";
import type { Kube } from "./kube.ts";

const DRAIN_WAIT_MS = 20_000;
const DRAIN_INTERVAL_MS = 250;

/** The names of what provision-tenant puts in each tenant namespace: a release or a retire removes them by name. */
export const TENANT_OBJECT_NAMES = {
  quota: "icn-tenant-quota",
  limits: "icn-tenant-limits",
  isolation: "icn-tenant-isolation",
  admins: "icn-tenant-admins",
} as const;

/** References (kind and name, no content) to the tenant's objects in one namespace, enough to delete them. */
export function tenantObjectRefs(namespace: string): {
  admins: KubernetesObject;
  confinement: KubernetesObject[];
} {
  const ref = (apiVersion: string, kind: string, name: string): KubernetesObject => ({
    apiVersion,
    kind,
    metadata: { name, namespace },
  });
  return {
    admins: ref("rbac.authorization.k8s.io/v1", "RoleBinding", TENANT_OBJECT_NAMES.admins),
    confinement: [
      ref("v1", "ResourceQuota", TENANT_OBJECT_NAMES.quota),
      ref("v1", "LimitRange", TENANT_OBJECT_NAMES.limits),
      ref("networking.k8s.io/v1", "NetworkPolicy", TENANT_OBJECT_NAMES.isolation),
    ],
  };
}

/** How the released-namespace policy's refusal begins; the release's probe looks for it. */
export function releasedMessage(namespace: string, tenant: string): string {
  return `namespace ${namespace} was released from tenant ${tenant}`;
}

export interface NamespaceRelease {
  name: string;
  /** The namespace, still the tenant's, marked released-from: frozen. */
  freeze: KubernetesObject;
  /** The tenant admins' binding: removed before any pod is evicted. */
  admins: KubernetesObject;
  /** What confined the tenant there (quota, limits, isolation policy): removed once no pod runs. */
  confinement: KubernetesObject[];
}

/** Pods that run or will: a Succeeded or Failed pod runs nothing. */
export async function livePods(kube: Kube, namespace: string): Promise<V1Pod[]> {
  try {
    const pods = await kube.core.listNamespacedPod({ namespace });
    return pods.items.filter((pod) => !["Succeeded", "Failed"].includes(pod.status?.phase ?? ""));
  } catch (err) {
    throw classifyKubeError(err, `list the pods of namespace ${namespace}`);
  }
}

export const podRef = (pod: V1Pod): string =>
  `Pod/${pod.metadata?.namespace ?? ""}/${pod.metadata?.name ?? ""}`;

/** `then` says what state the refusal leaves: nothing changed, or (pods came after the check) frozen. */
function hasPodsRefusal(namespace: string, pods: readonly V1Pod[], then: string): IcnError {
  const names = pods.slice(0, 5).map((pod) => pod.metadata?.name ?? "");
  const more = pods.length > names.length ? ", …" : "";
  return permanent(
    "RELEASE_HAS_PODS",
    `namespace ${namespace} is dropped from the request but still runs ${pods.length} pod(s) (${names.join(", ")}${more}), which would leave the tenant's Kata policy with it: send the request again with release: "drain" to evict them first, or keep ${namespace} in namespaces; ${then}`,
  );
}

/** Before anything is written: a namespace to release that runs pods needs release: drain. */
export async function checkReleasable(
  kube: Kube,
  releases: readonly NamespaceRelease[],
  drain: boolean,
): Promise<void> {
  if (drain) return;
  for (const { name } of releases) {
    const pods = await livePods(kube, name);
    if (pods.length) throw hasPodsRefusal(name, pods, "nothing was changed");
  }
}

/** One eviction; true when the pod is on its way out or gone, false when a disruption budget says not yet (429). */
export async function evict(kube: Kube, pod: V1Pod): Promise<boolean> {
  const { name = "", namespace = "", uid } = pod.metadata ?? {};
  try {
    await kube.core.createNamespacedPodEviction({
      name,
      namespace,
      body: { metadata: { name, namespace }, deleteOptions: { preconditions: { uid } } },
    });
  } catch (err) {
    // Gone already, or a disruption budget says not yet (429): the next round asks again.
    const code = (err as { code?: number }).code;
    if (code === 429) return false;
    if (code !== 404) throw classifyKubeError(err, `evict pod ${namespace}/${name}`);
  }
  return true;
}

/** Evicts until no pod runs (the freeze keeps controllers from replacing them); returns the pods evicted. */
async function drainPods(kube: Kube, namespace: string, allowed: boolean): Promise<string[]> {
  let pods = await livePods(kube, namespace);
  if (pods.length && !allowed)
    throw hasPodsRefusal(namespace, pods, "it stays the tenant's, frozen (no new pods) until then");
  const evicted = new Set<string>();
  const deadline = Date.now() + DRAIN_WAIT_MS;
  while (pods.length) {
    for (const pod of pods) {
      evicted.add(podRef(pod));
      if (!pod.metadata?.deletionTimestamp) await evict(kube, pod);
    }
    if (Date.now() > deadline)
      throw new IcnError(
        "RELEASE_DRAINING",
        `namespace ${namespace} still runs ${pods.map(podRef).join(", ")} after ${DRAIN_WAIT_MS / 1000} s of evictions (a PodDisruptionBudget may hold them); the release goes on when the request is retried`,
      );
    await new Promise((resolve) => setTimeout(resolve, DRAIN_INTERVAL_MS));
    pods = await livePods(kube, namespace);
  }
  return [...evicted];
}

export interface ReleaseContext {
  tenant: string;
  /** The request's source and id: they name its Events, so a retry records none twice. */
  source: string;
  requestId: string;
  drain: boolean;
  /** The function releasing it, as its Event names it; provision-tenant when unset. */
  controller?: string;
}

/** Releases one namespace in the order above; returns the pods it evicted. */
export async function releaseNamespace(
  kube: Kube,
  release: NamespaceRelease,
  context: ReleaseContext,
  fieldManager: string,
): Promise<string[]> {
  const { name } = release;
  await apply(kube, release.freeze, fieldManager);
  await waitForProbe(kube, name, {
    scope: "released",
    expected: refusedWith(releasedMessage(name, context.tenant)),
    pending: `the apiserver does not enforce the freeze of namespace ${name} yet; it is not released until it does`,
  });
  await deleteIfPresent(kube, release.admins);
  const evicted = await drainPods(kube, name, context.drain);
  for (const obj of release.confinement) await deleteIfPresent(kube, obj);
  await recordEvent(kube, release.freeze, {
    type: "Warning",
    reason: "TenantNamespaceReleased",
    action: "Release",
    note: `released from tenant ${context.tenant} (request ${context.requestId}): its admins' binding, quota, limits and isolation policy are removed${evicted.length ? `, ${evicted.length} pod(s) evicted` : ""}; no pod may be created or changed here until a cluster operator removes the label ${RELEASED_LABEL}`,
    controller: context.controller ?? "provision-tenant",
    name: eventNameFor(name, "released", context.source, context.requestId),
  });
  await removeLabel(kube, release.freeze, TENANT_LABEL, fieldManager);
  return evicted;
}
