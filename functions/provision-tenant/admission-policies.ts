// The apiserver enforces the isolation: admission policies shared by all tenants, bound per tenant.
import type { KubernetesObject } from "@kubernetes/client-node";
import { PLATFORM_NAMESPACE, TENANT_LABEL } from "../../schemas/names.ts";
import { DEFAULT_KATA_CLASSES } from "../../shared/kata.ts";
import { MANAGED_BY } from "../../shared/kube-apply.ts";
import { paramsName } from "../../shared/tenant-record.ts";
import { CORDON_POLICY, cordonBindingName, stateName } from "../../shared/tenant-state.ts";
import { freezePolicies, RELEASED_POLICY } from "./freeze-policies.ts";
import { ADMISSION, GUARD_POLICY, guardPolicies } from "./guard-policies.ts";
import { KATA_FLOOR_POLICY, kataFloorPolicies, probeRule } from "./kata-floor.ts";
import { paramAnchors } from "./param-anchors.ts";

export { paramsName } from "../../shared/tenant-record.ts";

export const POLICY = {
  defaultClass: "icn-tenant-default-runtime-class",
  allowedClasses: "icn-tenant-allowed-runtime-classes",
  tamper: GUARD_POLICY.tamper,
  kataFloor: KATA_FLOOR_POLICY,
  cordon: CORDON_POLICY,
  released: RELEASED_POLICY,
} as const;

const CONFIG_MAP_PARAMS = { apiVersion: "v1", kind: "ConfigMap" };
const podCreate = {
  resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], resources: ["pods"], operations: ["CREATE"] }],
};

export interface RuntimeClasses {
  allowed: string[];
  default: string;
}

/** The tenant's parameters live in the platform's namespace, where no tenant can write. */
export function tenantParams(
  tenant: string,
  classes: RuntimeClasses,
  lastRequest: Record<string, string>,
): KubernetesObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: paramsName(tenant),
      namespace: PLATFORM_NAMESPACE,
      labels: { ...MANAGED_BY, [TENANT_LABEL]: tenant },
    },
    data: {
      tenant,
      allowedRuntimeClasses: classes.allowed.join(","),
      defaultRuntimeClass: classes.default,
      ...lastRequest,
    },
  } as KubernetesObject;
}

function defaultClassPolicy(): KubernetesObject {
  return {
    apiVersion: ADMISSION,
    kind: "MutatingAdmissionPolicy",
    metadata: { name: POLICY.defaultClass, labels: { ...MANAGED_BY } },
    spec: {
      paramKind: CONFIG_MAP_PARAMS,
      matchConstraints: podCreate,
      matchConditions: [
        {
          name: "no-runtime-class",
          expression: "!has(object.spec.runtimeClassName) || object.spec.runtimeClassName == ''",
        },
      ],
      failurePolicy: "Fail",
      reinvocationPolicy: "IfNeeded",
      mutations: [
        {
          patchType: "ApplyConfiguration",
          applyConfiguration: {
            expression: "Object{spec: Object.spec{runtimeClassName: params.data.defaultRuntimeClass}}",
          },
        },
      ],
    },
  } as KubernetesObject;
}

function allowedClassesPolicy(): KubernetesObject {
  const classOf =
    "(has(object.spec.runtimeClassName) ? \"'\" + object.spec.runtimeClassName + \"'\" : 'none')";
  return {
    apiVersion: ADMISSION,
    kind: "ValidatingAdmissionPolicy",
    metadata: { name: POLICY.allowedClasses, labels: { ...MANAGED_BY } },
    spec: {
      paramKind: CONFIG_MAP_PARAMS,
      matchConstraints: podCreate,
      failurePolicy: "Fail",
      validations: [
        {
          expression:
            "has(object.spec.runtimeClassName) && object.spec.runtimeClassName in params.data.allowedRuntimeClasses.split(',')",
          message: "pods in tenant namespaces must run in a Kata runtime class",
          messageExpression: `'runtime class ' + ${classOf} + ' is not allowed in tenant ' + params.data.tenant + ': its pods run in Kata VMs; allowed runtime classes: ' + params.data.allowedRuntimeClasses`,
          reason: "Forbidden",
        },
        probeRule("tenant"),
      ],
    },
  } as KubernetesObject;
}

/** Cluster-wide, shared by every tenant; each tenant adds only bindings and parameters. */
export function sharedPolicies(
  platformIdentities: readonly string[],
  kataClasses: readonly string[] = DEFAULT_KATA_CLASSES,
): KubernetesObject[] {
  return [
    ...kataFloorPolicies(kataClasses),
    defaultClassPolicy(),
    allowedClassesPolicy(),
    ...guardPolicies(platformIdentities),
    ...freezePolicies(platformIdentities),
    ...paramAnchors({ mutating: POLICY.defaultClass, validating: POLICY.allowedClasses }),
  ];
}

export function tenantBindings(tenant: string): KubernetesObject[] {
  const matchResources = { namespaceSelector: { matchLabels: { [TENANT_LABEL]: tenant } } };
  const paramRef = {
    name: paramsName(tenant),
    namespace: PLATFORM_NAMESPACE,
    parameterNotFoundAction: "Deny",
  };
  const meta = (policy: string): Record<string, unknown> => ({
    name: `${policy}.${tenant}`,
    labels: { ...MANAGED_BY, [TENANT_LABEL]: tenant },
  });
  return [
    {
      apiVersion: ADMISSION,
      kind: "MutatingAdmissionPolicyBinding",
      metadata: meta(POLICY.defaultClass),
      spec: { policyName: POLICY.defaultClass, paramRef, matchResources },
    },
    {
      apiVersion: ADMISSION,
      kind: "ValidatingAdmissionPolicyBinding",
      metadata: meta(POLICY.allowedClasses),
      spec: { policyName: POLICY.allowedClasses, paramRef, matchResources, validationActions: ["Deny"] },
    },
    {
      apiVersion: ADMISSION,
      kind: "ValidatingAdmissionPolicyBinding",
      metadata: { ...meta(POLICY.cordon), name: cordonBindingName(tenant) },
      spec: {
        policyName: POLICY.cordon,
        // The tenant's state (cordon-tenant's and uncordon-tenant's); none yet means never cordoned.
        paramRef: {
          name: stateName(tenant),
          namespace: PLATFORM_NAMESPACE,
          parameterNotFoundAction: "Allow",
        },
        matchResources,
        validationActions: ["Deny"],
      },
    },
  ] as unknown as KubernetesObject[];
}
