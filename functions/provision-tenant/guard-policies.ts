// Guards against tenant admins: cluster-wide admission policies that keep the platform's work from being undone.
import type { KubernetesObject } from "@kubernetes/client-node";
import { QUARANTINE_LABEL, TENANT_LABEL } from "../../schemas/names.ts";
import { MANAGED_BY } from "../../shared/kube-apply.ts";

export const ADMISSION = "admissionregistration.k8s.io/v1";
export const GUARD_POLICY = {
  tamper: "icn-tenant-tamper-protection",
} as const;

// Kubernetes' own controllers must still be able to clean up a deleted tenant namespace.
const KUBE_CONTROLLERS = [
  "system:serviceaccount:kube-system:namespace-controller",
  "system:serviceaccount:kube-system:generic-garbage-collector",
];

/** Only the platform may change what it manages in tenant namespaces, or a pod's quarantine label. */
function tamperPolicy(platformIdentities: readonly string[]): KubernetesObject {
  const identities = [...platformIdentities, ...KUBE_CONTROLLERS]
    .map((u) => `'${u.replace(/'/g, "")}'`)
    .join(", ");
  const labelOf = (obj: string, key: string): string =>
    `(has(${obj}.metadata.labels) && '${key}' in ${obj}.metadata.labels ? ${obj}.metadata.labels['${key}'] : '')`;
  return {
    apiVersion: ADMISSION,
    kind: "ValidatingAdmissionPolicy",
    metadata: { name: GUARD_POLICY.tamper, labels: { ...MANAGED_BY } },
    spec: {
      matchConstraints: {
        namespaceSelector: { matchExpressions: [{ key: TENANT_LABEL, operator: "Exists" }] },
        resourceRules: [
          { apiGroups: ["*"], apiVersions: ["*"], resources: ["*"], operations: ["UPDATE", "DELETE"] },
        ],
      },
      failurePolicy: "Fail",
      variables: [
        { name: "platform", expression: `request.userInfo.username in [${identities}]` },
        {
          name: "managed",
          expression: `oldObject != null && ${labelOf("oldObject", "app.kubernetes.io/managed-by")} == 'icn-secure-tenancy'`,
        },
        {
          name: "quarantined",
          expression: `oldObject != null && ${labelOf("oldObject", QUARANTINE_LABEL)} != ''`,
        },
      ],
      validations: [
        {
          expression: "variables.platform || !variables.managed",
          messageExpression:
            "'only the platform may change or delete ' + request.kind.kind + ' ' + request.name + ': it is managed by icn-secure-tenancy and keeps this tenant isolated'",
          reason: "Forbidden",
        },
        {
          expression: `variables.platform || request.operation != 'UPDATE' || request.resource.resource != 'pods' || !variables.quarantined || ${labelOf("object", QUARANTINE_LABEL)} == ${labelOf("oldObject", QUARANTINE_LABEL)}`,
          messageExpression:
            "'pod ' + request.name + ' is quarantined: only the platform may change its " +
            QUARANTINE_LABEL +
            " label'",
          reason: "Forbidden",
        },
      ],
    },
  } as KubernetesObject;
}

/** The guards and their bindings: cluster-wide, selecting tenant namespaces by label. */
export function guardPolicies(platformIdentities: readonly string[]): KubernetesObject[] {
  const tamperBinding = {
    apiVersion: ADMISSION,
    kind: "ValidatingAdmissionPolicyBinding",
    metadata: { name: GUARD_POLICY.tamper, labels: { ...MANAGED_BY } },
    spec: { policyName: GUARD_POLICY.tamper, validationActions: ["Deny"] },
  };
  return [tamperPolicy(platformIdentities), tamperBinding];
}
