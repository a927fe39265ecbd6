// Bindings that keep the apiserver reading tenant parameters when no tenant is bound (kubernetes/kubernetes#130887).
import type { KubernetesObject } from "@kubernetes/client-node";
import { PLATFORM_NAMESPACE } from "../../schemas/names.ts";
import { MANAGED_BY } from "../../shared/kube-apply.ts";
import { ADMISSION } from "./guard-builder.ts";

/**
 * kube-apiserver 1.36 stops its ConfigMap parameter informer for good, per process, once no binding of a
 * policy with that paramKind exists for one refresh tick. After that, a tenant's parameters are either
 * "not found" (every pod refused, or a cordon with `Allow` silently lifted) or frozen at their old values
 * (a narrowed class list not enforced). Retiring the last tenant, or removing bindings in a batch, would
 * get there. One binding per admission plugin that names the parameter kind and matches no namespace keeps
 * the informer alive; no tenant label, so nothing that removes a tenant's objects removes it.
 */
export const ANCHOR_LABEL = "icn.akraino.org/param-anchor";

function anchor(kind: string, policyName: string, extra: Record<string, unknown>): KubernetesObject {
  return {
    apiVersion: ADMISSION,
    kind,
    metadata: { name: `${policyName}.param-anchor`, labels: { ...MANAGED_BY } },
    spec: {
      policyName,
      // A name no ConfigMap has: if an operator ever labels a namespace to match, its pods are refused.
      paramRef: { name: "icn-param-anchor", namespace: PLATFORM_NAMESPACE, parameterNotFoundAction: "Deny" },
      matchResources: { namespaceSelector: { matchLabels: { [ANCHOR_LABEL]: "never" } } },
      ...extra,
    },
  } as KubernetesObject;
}

/** One anchor for the mutating plugin, one for the validating plugin: each keeps its own informers. */
export function paramAnchors(policies: { mutating: string; validating: string }): KubernetesObject[] {
  return [
    anchor("MutatingAdmissionPolicyBinding", policies.mutating, {}),
    anchor("ValidatingAdmissionPolicyBinding", policies.validating, { validationActions: ["Deny"] }),
  ];
}
