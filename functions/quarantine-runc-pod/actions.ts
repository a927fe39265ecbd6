// What quarantine does to a pod: label it, deny its traffic with a NetworkPolicy the platform owns whole, evict or delete it.
import type { KubernetesObject, V1Pod } from "@kubernetes/client-node";
import { QUARANTINE_LABEL } from "../../schemas/names.ts";
import { classifyKubeError } from "../../shared/errors.ts";
import { apply, applyOwned, MANAGED_BY } from "../../shared/kube-apply.ts";
import type { Kube } from "../../shared/kube.ts";
import type { Action } from "./options.ts";

export const FIELD_MANAGER = "icn-quarantine-runc-pod";
export const QUARANTINE_POLICY = "icn-quarantine";

/** Denies all traffic to and from quarantined pods; the tenant isolation policy skips them. */
export function quarantinePolicy(namespace: string): KubernetesObject {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: QUARANTINE_POLICY, namespace, labels: { ...MANAGED_BY } },
    spec: {
      podSelector: { matchLabels: { [QUARANTINE_LABEL]: "true" } },
      policyTypes: ["Ingress", "Egress"],
    },
  } as KubernetesObject;
}

/**
 * The label (unless the pod has it already), then the policy, on every delivery: a pod that came
 * labelled, or whose policy was deleted, still ends up denied. Server-side dry-run when asked.
 */
export async function isolate(kube: Kube, pod: V1Pod, dryRun: boolean): Promise<void> {
  // uid: refused if a new pod took the name. resourceVersion: of two concurrent events for one
  // pod only the first labels it; the other gets a conflict, retries, and finds it done.
  const { name, namespace = "", uid, resourceVersion, labels } = pod.metadata ?? {};
  const mode = { dryRun: dryRun ? ("All" as const) : undefined };
  if (labels?.[QUARANTINE_LABEL] !== "true") {
    const label = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace, uid, resourceVersion, labels: { [QUARANTINE_LABEL]: "true" } },
    };
    await apply(kube, label, FIELD_MANAGER, mode);
  }
  // Owned whole: a policy of that name planted with allow-all rules is replaced, never merged.
  await applyOwned(kube, quarantinePolicy(namespace), FIELD_MANAGER, mode);
}

export async function destroy(kube: Kube, pod: V1Pod, action: Action): Promise<void> {
  const { name = "", namespace = "", uid } = pod.metadata ?? {};
  try {
    if (action === "evict")
      await kube.core.createNamespacedPodEviction({
        name,
        namespace,
        body: { metadata: { name, namespace }, deleteOptions: { preconditions: { uid } } },
      });
    if (action === "delete")
      await kube.core.deleteNamespacedPod({ name, namespace, body: { preconditions: { uid } } });
  } catch (err) {
    if ((err as { code?: number }).code === 404) return; // already gone: the goal is reached
    throw classifyKubeError(err, `${action} pod ${namespace}/${name}`);
  }
}
