// Should this pod be quarantined? Only an existing pod, with the event's uid, in a tenant namespace, not on Kata.
import type { V1Namespace, V1Pod } from "@kubernetes/client-node";

export const TENANT_LABEL = "icn.akraino.org/tenant";

export type Verdict = { quarantine: true } | { quarantine: false; reason: string };

export function isKataClass(runtimeClassName: string | undefined, kataClasses: readonly string[]): boolean {
  return (
    runtimeClassName !== undefined &&
    (kataClasses.includes(runtimeClassName) || runtimeClassName.startsWith("kata"))
  );
}

export function verdict(
  pod: V1Pod | undefined,
  namespace: V1Namespace | undefined,
  event: { uid?: string },
  kataClasses: readonly string[],
): Verdict {
  if (!pod) return { quarantine: false, reason: "the pod no longer exists" };
  if (event.uid && pod.metadata?.uid !== event.uid)
    return {
      quarantine: false,
      reason: `the pod was replaced (uid ${pod.metadata?.uid}, the event names ${event.uid})`,
    };
  if (!namespace?.metadata?.labels?.[TENANT_LABEL])
    return {
      quarantine: false,
      reason: "not a tenant namespace: the platform never acts outside tenant namespaces",
    };
  if (isKataClass(pod.spec?.runtimeClassName, kataClasses))
    return {
      quarantine: false,
      reason: `the pod runs in the Kata runtime class ${pod.spec?.runtimeClassName}`,
    };
  return { quarantine: true };
}
