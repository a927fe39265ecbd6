// Should this pod be quarantined? Only an existing pod, with the event's uid, in a tenant namespace, not on Kata.
import type { V1Namespace, V1Pod } from "@kubernetes/client-node";
import { TENANT_LABEL } from "../../schemas/names.ts";

export type Verdict = { quarantine: true; pod: V1Pod } | { quarantine: false; reason: string };

export function isKataClass(runtimeClassName: string | undefined, kataClasses: readonly string[]): boolean {
  return (
    runtimeClassName !== undefined &&
    (kataClasses.includes(runtimeClassName) || runtimeClassName.startsWith("kata"))
  );
}

/** The first reason to leave the pod alone, if any. */
function reasonToLeave(
  pod: V1Pod,
  namespace: V1Namespace | undefined,
  event: { uid?: string },
  kataClasses: readonly string[],
): string | undefined {
  const { uid, name } = pod.metadata ?? {};
  if (event.uid && uid !== event.uid)
    return `the pod was replaced (uid ${uid}, the event names ${event.uid})`;
  if (!namespace?.metadata?.labels?.[TENANT_LABEL])
    return `not a tenant namespace: the platform never acts outside tenant namespaces (pod ${name})`;
  const runtimeClass = pod.spec?.runtimeClassName;
  if (isKataClass(runtimeClass, kataClasses)) return `the pod runs in the Kata runtime class ${runtimeClass}`;
  return undefined;
}

export function verdict(
  pod: V1Pod | undefined,
  namespace: V1Namespace | undefined,
  event: { uid?: string },
  kataClasses: readonly string[],
): Verdict {
  if (!pod) return { quarantine: false, reason: "the pod no longer exists" };
  const reason = reasonToLeave(pod, namespace, event, kataClasses);
  return reason ? { quarantine: false, reason } : { quarantine: true, pod };
}
