// Does this pod run outside a Kata sandbox? The pod watcher's one decision, kept pure so it is easy to test.
import type { V1Namespace, V1Pod } from "@kubernetes/client-node";
import type { EventData } from "../../schemas/events.ts";
import { QUARANTINE_LABEL, TENANT_LABEL } from "../../schemas/names.ts";
import { isKataClass } from "../quarantine-runc-pod/verdict.ts";

export const POD_DETECTOR = "pod-watcher";

/** Every namespace that carries the tenant label, whatever the tenant. */
export const ALL_TENANTS_SELECTOR = TENANT_LABEL;

export function isTenantNamespace(namespace: V1Namespace): boolean {
  return Boolean(namespace.metadata?.labels?.[TENANT_LABEL]);
}

/** Why the pod is unsafe, or undefined when it runs Kata, is already quarantined, or no longer runs. */
export function unsafeReason(pod: V1Pod, kataClasses: readonly string[]): string | undefined {
  const { deletionTimestamp, labels } = pod.metadata ?? {};
  if (deletionTimestamp || labels?.[QUARANTINE_LABEL] === "true") return undefined;
  if (pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed") return undefined;
  const runtimeClass = pod.spec?.runtimeClassName;
  if (isKataClass(runtimeClass, kataClasses)) return undefined;
  return runtimeClass
    ? `runtime class ${runtimeClass} is not a Kata class: the pod runs outside a VM sandbox`
    : "no runtime class: the pod runs under the node's default runtime (runc), outside a VM sandbox";
}

/** The pod.unsafe data for a pod of a tenant namespace that does not run Kata, else undefined. */
export function unsafePod(pod: V1Pod, kataClasses: readonly string[]): EventData<"pod.unsafe"> | undefined {
  const { name, namespace, uid } = pod.metadata ?? {};
  if (!name || !namespace || !uid) return undefined;
  const reason = unsafeReason(pod, kataClasses);
  return reason ? { namespace, pod: name, uid, reason, detector: POD_DETECTOR } : undefined;
}
