// Proof that the apiserver enforces a tenant's policies in a namespace, before its admins get in: a binding
// that exists is not yet enforced (the apiserver picks it up from a watch), so ask the apiserver itself.
import type { V1Pod } from "@kubernetes/client-node";
import { classifyKubeError, IcnError } from "../../shared/errors.ts";
import type { Kube } from "../../shared/kube.ts";
import { ENFORCEMENT_PROBE_LABEL, type ProbeScope } from "./kata-floor.ts";

const PROBE_DEADLINE_MS = 15_000;
const PROBE_INTERVAL_MS = 100;

function probePod(scope: ProbeScope): V1Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: `icn-enforcement-probe-${scope}`, labels: { [ENFORCEMENT_PROBE_LABEL]: scope } },
    // No runtime class: the tenant's defaulting policy must give it the default Kata class.
    spec: { containers: [{ name: "probe", image: "icn-enforcement-probe:never-runs" }] },
  };
}

/**
 * One server-side dry-run (nothing is stored). Enforced means: refused by the probe rule of the policy
 * for this scope, after the defaulting policy gave the pod the tenant's default class.
 */
async function probeRefused(
  kube: Kube,
  namespace: string,
  scope: ProbeScope,
  defaultClass: string,
): Promise<boolean> {
  try {
    await kube.core.createNamespacedPod({ namespace, body: probePod(scope), dryRun: "All" });
    return false;
  } catch (err) {
    const { code, body } = err as { code?: number; body?: unknown };
    if (code !== 403 && code !== 422) throw classifyKubeError(err, `enforcement probe in ${namespace}`);
    return String(body).includes(
      `enforcement probe (${scope}): in force; the pod would run in runtime class ${defaultClass}`,
    );
  }
}

/** Waits (briefly) until both the cluster-wide floor and the tenant's own bindings refuse their probes. */
export async function verifyEnforced(
  kube: Kube,
  namespace: string,
  defaultClass: string,
  deadlineMs = PROBE_DEADLINE_MS,
): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (const scope of ["platform", "tenant"] as const) {
    while (!(await probeRefused(kube, namespace, scope, defaultClass))) {
      if (Date.now() > deadline)
        throw new IcnError(
          "ENFORCEMENT_PENDING",
          `the apiserver does not enforce the ${scope === "platform" ? "cluster-wide Kata" : "tenant's"} admission policies in namespace ${namespace} yet; its admins are not bound until it does`,
        );
      await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS));
    }
  }
}
