// Proof that the apiserver enforces a tenant's policies in a namespace, before its admins get in: a binding
// that exists is not yet enforced (the apiserver picks it up from a watch), so ask the apiserver itself.
import { refusedWith, waitForProbe } from "../../shared/enforcement-probe.ts";
import type { Kube } from "../../shared/kube.ts";

/**
 * Enforced means: each probe is refused by the probe rule of the policy for its scope, after the
 * defaulting policy gave the pod the tenant's default class. The cluster-wide floor first, then the tenant's own.
 */
export async function verifyEnforced(kube: Kube, namespace: string, defaultClass: string): Promise<void> {
  for (const scope of ["platform", "tenant"] as const)
    await waitForProbe(kube, namespace, {
      scope,
      expected: refusedWith(
        `enforcement probe (${scope}): in force; the pod would run in runtime class ${defaultClass}`,
      ),
      pending: `the apiserver does not enforce the ${scope === "platform" ? "cluster-wide Kata" : "tenant's"} admission policies in namespace ${namespace} yet; its admins are not bound until it does`,
    });
}
