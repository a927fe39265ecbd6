// How every guard is built: cluster-wide over tenant namespaces, failing closed, letting the platform through.
import type { KubernetesObject } from "@kubernetes/client-node";
import { TENANT_LABEL } from "../../schemas/names.ts";
import { MANAGED_BY } from "../../shared/kube-apply.ts";

export const ADMISSION = "admissionregistration.k8s.io/v1";

// Kubernetes' own controllers must still be able to clean up a deleted tenant namespace.
const KUBE_CONTROLLERS = [
  "system:serviceaccount:kube-system:namespace-controller",
  "system:serviceaccount:kube-system:generic-garbage-collector",
];

/** The match condition every guard carries: a request from the platform is none of its business. */
export const NOT_THE_PLATFORM = "not-the-platform";

export function notThePlatform(platformIdentities: readonly string[]): { name: string; expression: string } {
  // A CEL string literal: quotes and backslashes escaped, so no identity can end the list early.
  // Sorted and without repeats: writers that list the same identities in another order render one policy.
  const platform = [...new Set(platformIdentities)].sort();
  const identities = [...platform, ...KUBE_CONTROLLERS]
    .map((u) => `'${u.replace(/[\\']/g, "\\$&")}'`)
    .join(", ");
  return { name: NOT_THE_PLATFORM, expression: `!(request.userInfo.username in [${identities}])` };
}

/** A label's value in CEL, '' when the object (or its labels) has none. */
export function labelOf(obj: string, key: string): string {
  return `(${obj} != null && has(${obj}.metadata.labels) && '${key}' in ${obj}.metadata.labels ? ${obj}.metadata.labels['${key}'] : '')`;
}

export interface ResourceRule {
  apiGroups: string[];
  apiVersions: string[];
  resources: string[];
  operations: string[];
}

export interface Guard {
  kind: "ValidatingAdmissionPolicy" | "MutatingAdmissionPolicy";
  name: string;
  resourceRules: ResourceRule[];
  /** More conditions besides the platform's exemption. */
  matchConditions?: { name: string; expression: string }[];
  /** The rest of the policy's spec: validations, or mutations. */
  spec: Record<string, unknown>;
}

/**
 * The policy and its binding. The binding has no matchResources of its own: the policy's
 * namespaceSelector already limits it to tenant namespaces, whichever tenant they belong to,
 * so a namespace is guarded from the moment it carries the tenant label.
 */
export function guardObjects(guard: Guard, platformIdentities: readonly string[]): KubernetesObject[] {
  const metadata = { name: guard.name, labels: { ...MANAGED_BY } };
  const policy = {
    apiVersion: ADMISSION,
    kind: guard.kind,
    metadata,
    spec: {
      matchConstraints: {
        namespaceSelector: { matchExpressions: [{ key: TENANT_LABEL, operator: "Exists" }] },
        resourceRules: guard.resourceRules,
      },
      matchConditions: [notThePlatform(platformIdentities), ...(guard.matchConditions ?? [])],
      failurePolicy: "Fail",
      ...guard.spec,
    },
  };
  const validating = guard.kind === "ValidatingAdmissionPolicy";
  const binding = {
    apiVersion: ADMISSION,
    kind: `${guard.kind}Binding`,
    metadata,
    spec: validating ? { policyName: guard.name, validationActions: ["Deny"] } : { policyName: guard.name },
  };
  return [policy, binding] as KubernetesObject[];
}

/** A validating policy's binding with no selector of its own: the policy's constraints say where it applies. */
export function clusterWideBinding(policyName: string): KubernetesObject {
  return {
    apiVersion: ADMISSION,
    kind: "ValidatingAdmissionPolicyBinding",
    metadata: { name: policyName, labels: { ...MANAGED_BY } },
    spec: { policyName, validationActions: ["Deny"] },
  } as KubernetesObject;
}

/** A validating guard's spec: refuse (403 Forbidden) unless the CEL expression holds, saying why. */
export function refuseUnless(expression: string, messageExpression: string): Record<string, unknown> {
  return { validations: [{ expression, messageExpression, reason: "Forbidden" }] };
}

/** Rules for one core or named API group resource. */
export function rulesFor(group: string, resource: string, operations: string[]): ResourceRule[] {
  return [{ apiGroups: [group], apiVersions: ["*"], resources: [resource], operations }];
}
