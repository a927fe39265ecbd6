// Should this pod be quarantined? Only an existing pod, with the event's uid, in a tenant namespace, not on Kata.
import type { V1Namespace, V1Pod, V1RuntimeClass } from "@kubernetes/client-node";
import { TENANT_LABEL } from "../../schemas/names.ts";
import { notKataReason, type KataRuntime } from "../../shared/kata.ts";

export type Verdict = { quarantine: true; pod: V1Pod } | { quarantine: false; reason: string };

/** What the handler read from the cluster: the pod, its namespace, and the RuntimeClass the pod names. */
export interface PodFacts {
  pod?: V1Pod;
  namespace?: V1Namespace;
  /** Undefined when the pod names no class, or names one that does not exist (both unsafe). */
  runtimeClass?: V1RuntimeClass;
}

/** The first reason to leave the pod alone, if any. */
function reasonToLeave(
  pod: V1Pod,
  facts: PodFacts,
  event: { uid?: string },
  kata: KataRuntime,
): string | undefined {
  const { uid, name } = pod.metadata ?? {};
  if (event.uid && uid !== event.uid)
    return `the pod was replaced (uid ${uid}, the event names ${event.uid})`;
  if (!facts.namespace?.metadata?.labels?.[TENANT_LABEL])
    return `not a tenant namespace: the platform never acts outside tenant namespaces (pod ${name})`;
  // A class counts as Kata by its RuntimeClass's handler, never by its name (`kata-fake` may say runc).
  const className = pod.spec?.runtimeClassName;
  if (notKataReason(className, facts.runtimeClass, kata) === undefined)
    return `the pod runs in the Kata runtime class ${className} (handler ${facts.runtimeClass?.handler})`;
  return undefined;
}

export function verdict(facts: PodFacts, event: { uid?: string }, kata: KataRuntime): Verdict {
  const { pod } = facts;
  if (!pod) return { quarantine: false, reason: "the pod no longer exists" };
  const reason = reasonToLeave(pod, facts, event, kata);
  return reason ? { quarantine: false, reason } : { quarantine: true, pod };
}
