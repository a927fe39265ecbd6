// Asking the apiserver whether an admission policy is in force: a server-side dry-run pod (nothing is stored) it must refuse.
import type { V1Pod } from "@kubernetes/client-node";
import { classifyKubeError, IcnError } from "./errors.ts";
import type { Kube } from "./kube.ts";

/** On a probe pod: which policy it addresses. A policy that lets the platform through still answers its own probe. */
export const ENFORCEMENT_PROBE_LABEL = "icn.akraino.org/enforcement-probe";
export type ProbeScope = "platform" | "tenant" | "cordon" | "released";

const PROBE_DEADLINE_MS = 15_000;
const PROBE_INTERVAL_MS = 100;

/** The apiserver's answer to one probe: admitted (and not stored), or refused with its message. */
export type ProbeAnswer = { admitted: true } | { admitted: false; message: string };

function probePod(scope: ProbeScope): V1Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: `icn-enforcement-probe-${scope}`, labels: { [ENFORCEMENT_PROBE_LABEL]: scope } },
    // No runtime class: the tenant's defaulting policy must give it the default Kata class.
    spec: { containers: [{ name: "probe", image: "icn-enforcement-probe:never-runs" }] },
  };
}

export async function probe(kube: Kube, namespace: string, scope: ProbeScope): Promise<ProbeAnswer> {
  try {
    await kube.core.createNamespacedPod({ namespace, body: probePod(scope), dryRun: "All" });
    return { admitted: true };
  } catch (err) {
    const { code, body } = err as { code?: number; body?: unknown };
    if (code !== 403 && code !== 422) throw classifyKubeError(err, `enforcement probe in ${namespace}`);
    return { admitted: false, message: String(body) };
  }
}

/** What a wait expects of the probes: the answer, and what to say when it does not come in time. */
export interface ProbeExpectation {
  scope: ProbeScope;
  expected: (answer: ProbeAnswer) => boolean;
  /** The ENFORCEMENT_PENDING message (retryable: the next attempt probes again). */
  pending: string;
}

/**
 * Probes (briefly) until the answer is the expected one: a policy just written reaches admission a
 * moment later (the apiserver learns of it, its bindings and its parameters from watches).
 */
export async function waitForProbe(
  kube: Kube,
  namespace: string,
  expectation: ProbeExpectation,
  deadlineMs = PROBE_DEADLINE_MS,
): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!expectation.expected(await probe(kube, namespace, expectation.scope))) {
    if (Date.now() > deadline) throw new IcnError("ENFORCEMENT_PENDING", expectation.pending);
    await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS));
  }
}

/** The expectation "refused, with a message containing this text". */
export const refusedWith =
  (text: string) =>
  (answer: ProbeAnswer): boolean =>
    !answer.admitted && answer.message.includes(text);
