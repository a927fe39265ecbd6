// Freezes (a cordoned tenant; a namespace released from one): no new pods, no pod changes but the platform's; running pods run on.
import type { KubernetesObject } from "@kubernetes/client-node";
import { RELEASED_LABEL } from "../../schemas/names.ts";
import { ENFORCEMENT_PROBE_LABEL, type ProbeScope } from "../../shared/enforcement-probe.ts";
import { MANAGED_BY } from "../../shared/kube-apply.ts";
import { CORDON_POLICY } from "../../shared/tenant-state.ts";
import {
  ADMISSION,
  clusterWideBinding,
  labelOf,
  notThePlatform,
  type ResourceRule,
} from "./guard-builder.ts";

export const RELEASED_POLICY = "icn-tenant-released-namespace";

/** Creating a pod, and every way of changing one: its object, its ephemeral containers, its resources. */
const podWrites: ResourceRule[] = [
  { apiGroups: [""], apiVersions: ["v1"], resources: ["pods"], operations: ["CREATE", "UPDATE"] },
  {
    apiGroups: [""],
    apiVersions: ["v1"],
    resources: ["pods/ephemeralcontainers", "pods/resize"],
    operations: ["UPDATE"],
  },
];

/**
 * A pod on its way out may still lose its finalizers (the Job controller's, or a kubelet's), else a
 * drain would never finish; its spec may not change meanwhile.
 */
const LEAVING =
  "request.operation == 'UPDATE' && has(oldObject.metadata.deletionTimestamp) && object.spec == oldObject.spec";

/** The platform passes, except for its own probe of this policy: the proof that the freeze is enforced. */
function exemptThePlatform(platformIdentities: readonly string[], scope: ProbeScope): Record<string, string> {
  const { name, expression } = notThePlatform(platformIdentities);
  return {
    name,
    expression: `(${expression}) || ${labelOf("object", ENFORCEMENT_PROBE_LABEL)} == '${scope}'`,
  };
}

/**
 * Bound once per tenant with its state (shared/tenant-state.ts) as parameters; a tenant never cordoned
 * has no state, and the binding lets that pass. The refusal says who is cordoned and why.
 */
function cordonPolicy(platformIdentities: readonly string[]): KubernetesObject {
  const active = "!has(params.data) || !('state' in params.data) || params.data.state == 'active'";
  return {
    apiVersion: ADMISSION,
    kind: "ValidatingAdmissionPolicy",
    metadata: { name: CORDON_POLICY, labels: { ...MANAGED_BY } },
    spec: {
      paramKind: { apiVersion: "v1", kind: "ConfigMap" },
      matchConstraints: { resourceRules: podWrites },
      matchConditions: [exemptThePlatform(platformIdentities, "cordon")],
      failurePolicy: "Fail",
      validations: [
        {
          expression: `${active} || ${LEAVING}`,
          message:
            "this tenant is cordoned: new pods and changes to pods are refused; running pods keep running",
          messageExpression:
            "'tenant ' + params.data.tenant + ' is ' + params.data.state + ': ' + params.data.reason + " +
            "(params.data.state == 'retiring' ? '. It is being retired: its pods are evicted and its namespaces removed; no new pod is admitted' " +
            ": '. New pods and changes to pods are refused in its namespaces until the platform uncordons it; running pods keep running')",
          reason: "Forbidden",
        },
      ],
    },
  } as KubernetesObject;
}

export { releasedMessage } from "../../shared/tenant-release.ts";

/** Cluster-wide, by label: a released namespace is no tenant's, so no tenant binding selects it any more. */
function releasedPolicy(platformIdentities: readonly string[]): KubernetesObject {
  const from = labelOf("namespaceObject", RELEASED_LABEL);
  return {
    apiVersion: ADMISSION,
    kind: "ValidatingAdmissionPolicy",
    metadata: { name: RELEASED_POLICY, labels: { ...MANAGED_BY } },
    spec: {
      matchConstraints: {
        resourceRules: podWrites,
        namespaceSelector: { matchExpressions: [{ key: RELEASED_LABEL, operator: "Exists" }] },
      },
      matchConditions: [exemptThePlatform(platformIdentities, "released")],
      failurePolicy: "Fail",
      validations: [
        {
          expression: LEAVING,
          message: `this namespace was released from its tenant: no pod may be created or changed here until a cluster operator removes its label ${RELEASED_LABEL}`,
          messageExpression:
            `'namespace ' + namespaceObject.metadata.name + ' was released from tenant ' + ${from} + ` +
            `': no pod may be created or changed in it until a cluster operator has reviewed it (its RoleBindings and workloads) and removed its label ${RELEASED_LABEL}'`,
          reason: "Forbidden",
        },
      ],
    },
  } as KubernetesObject;
}

/** Both policies; the released one binds cluster-wide, the cordon once per tenant (admission-policies.ts). */
export function freezePolicies(platformIdentities: readonly string[]): KubernetesObject[] {
  return [
    cordonPolicy(platformIdentities),
    releasedPolicy(platformIdentities),
    clusterWideBinding(RELEASED_POLICY),
  ];
}
