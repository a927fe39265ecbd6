// The floor under every tenant: one cluster-wide policy that admits, in any namespace carrying the tenant
// label, only pods in the platform's Kata classes. It exists long before a new namespace gets that label,
// so no pod slips in while a new tenant's own bindings are still on their way to being enforced.
import type { KubernetesObject } from "@kubernetes/client-node";
import { TENANT_LABEL } from "../../schemas/names.ts";
import { ENFORCEMENT_PROBE_LABEL, type ProbeScope } from "../../shared/enforcement-probe.ts";
import { MANAGED_BY } from "../../shared/kube-apply.ts";
import { serviceAccountUser } from "../../shared/platform-identities.ts";
import { ADMISSION, clusterWideBinding } from "./guard-builder.ts";

export const KATA_FLOOR_POLICY = "icn-tenant-kata-only";
export const PROBE_GUARD_POLICY = "icn-provision-tenant-dry-run-pods";
/** The functions that probe enforcement create pods only as server-side dry-runs (their probes). */
export const PROBING_FUNCTIONS = [
  "provision-tenant",
  "cordon-tenant",
  "uncordon-tenant",
  "retire-tenant",
] as const;

const podCreate = {
  resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], resources: ["pods"], operations: ["CREATE"] }],
};

/** A policy's last rule: refuse the probe addressed to it, saying which class the pod got. */
export function probeRule(scope: ProbeScope): Record<string, string> {
  const label = `object.metadata.labels['${ENFORCEMENT_PROBE_LABEL}']`;
  return {
    expression: `!(has(object.metadata.labels) && '${ENFORCEMENT_PROBE_LABEL}' in object.metadata.labels && ${label} == '${scope}')`,
    messageExpression: `'enforcement probe (${scope}): in force; the pod would run in runtime class ' + (has(object.spec.runtimeClassName) ? object.spec.runtimeClassName : 'none')`,
    reason: "Forbidden",
  };
}

function kataFloorPolicy(kataClasses: readonly string[]): KubernetesObject {
  const classes = kataClasses.map((c) => `'${c.replace(/'/g, "")}'`).join(", ");
  return {
    apiVersion: ADMISSION,
    kind: "ValidatingAdmissionPolicy",
    metadata: { name: KATA_FLOOR_POLICY, labels: { ...MANAGED_BY } },
    spec: {
      matchConstraints: {
        ...podCreate,
        namespaceSelector: { matchExpressions: [{ key: TENANT_LABEL, operator: "Exists" }] },
      },
      failurePolicy: "Fail",
      validations: [
        {
          expression: `has(object.spec.runtimeClassName) && object.spec.runtimeClassName in [${classes}]`,
          messageExpression: `'pods in tenant namespaces run in Kata VMs: runtime class ' + (has(object.spec.runtimeClassName) ? object.spec.runtimeClassName : 'none') + ' is not one of the platform\\'s Kata classes (${kataClasses.join(", ")})'`,
          reason: "Forbidden",
        },
        probeRule("platform"),
      ],
    },
  } as KubernetesObject;
}

/** The probes need their functions to create pods; this keeps that to dry-runs, which change nothing. */
function probeGuardPolicy(): KubernetesObject {
  return {
    apiVersion: ADMISSION,
    kind: "ValidatingAdmissionPolicy",
    metadata: { name: PROBE_GUARD_POLICY, labels: { ...MANAGED_BY } },
    spec: {
      matchConstraints: podCreate,
      matchConditions: [
        {
          name: "probing-function",
          expression: `request.userInfo.username in [${PROBING_FUNCTIONS.map((f) => `'${serviceAccountUser(f)}'`).join(", ")}]`,
        },
      ],
      failurePolicy: "Fail",
      validations: [
        {
          expression: "request.dryRun == true",
          message: `${PROBING_FUNCTIONS.join(", ")} create pods only as server-side dry-runs (their enforcement probes)`,
          reason: "Forbidden",
        },
      ],
    },
  } as KubernetesObject;
}

/** Both policies with their cluster-wide bindings; applied before any tenant namespace is labelled. */
export function kataFloorPolicies(kataClasses: readonly string[]): KubernetesObject[] {
  return [
    kataFloorPolicy(kataClasses),
    clusterWideBinding(KATA_FLOOR_POLICY),
    probeGuardPolicy(),
    clusterWideBinding(PROBE_GUARD_POLICY),
  ];
}
