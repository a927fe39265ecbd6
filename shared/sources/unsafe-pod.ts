// Does this pod run outside a Kata sandbox? The pod watcher's one decision, kept pure so it is easy to test.
import type { V1Namespace, V1Pod, V1RuntimeClass } from "@kubernetes/client-node";
import type { EventData } from "../../schemas/events.ts";
import { TENANT_LABEL } from "../../schemas/names.ts";
import { notKataReason, type KataRuntime } from "../kata.ts";

export const POD_DETECTOR = "pod-watcher";

/** Every namespace that carries the tenant label, whatever the tenant. */
export const ALL_TENANTS_SELECTOR = TENANT_LABEL;

/** The cluster's RuntimeClasses by name, as the watcher last saw them. */
export type RuntimeClasses = ReadonlyMap<string, V1RuntimeClass>;

export function isTenantNamespace(namespace: V1Namespace): boolean {
  return Boolean(namespace.metadata?.labels?.[TENANT_LABEL]);
}

/**
 * Why the pod is unsafe, or undefined when its class's handler is Kata or it no longer runs. Labels
 * do not count: a pod that came labelled quarantined is reported like any other, and quarantine makes
 * sure its deny-all policy exists.
 */
export function unsafeReason(pod: V1Pod, classes: RuntimeClasses, kata: KataRuntime): string | undefined {
  if (pod.metadata?.deletionTimestamp) return undefined;
  if (pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed") return undefined;
  const name = pod.spec?.runtimeClassName;
  const reason = notKataReason(name, name ? classes.get(name) : undefined, kata);
  return reason && `${reason}: the pod runs outside a VM sandbox`;
}

/** The pod.unsafe data for a pod of a tenant namespace that does not run Kata, else undefined. */
export function unsafePod(
  pod: V1Pod,
  classes: RuntimeClasses,
  kata: KataRuntime,
): EventData<"pod.unsafe"> | undefined {
  const { name, namespace, uid } = pod.metadata ?? {};
  if (!name || !namespace || !uid) return undefined;
  const reason = unsafeReason(pod, classes, kata);
  return reason ? { namespace, pod: name, uid, reason, detector: POD_DETECTOR } : undefined;
}
