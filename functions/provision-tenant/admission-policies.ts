// The apiserver enforces the isolation: admission policies shared by all tenants, bound per tenant.
import type { KubernetesObject } from "@kubernetes/client-node";
import { PLATFORM_NAMESPACE, QUARANTINE_LABEL, TENANT_LABEL } from "../../schemas/names.ts";
import { MANAGED_BY } from "../../shared/kube-apply.ts";

export const POLICY = {
  defaultClass: "icn-tenant-default-runtime-class",
  allowedClasses: "icn-tenant-allowed-runtime-classes",
  tamper: "icn-tenant-tamper-protection",
} as const;

const ADMISSION = "admissionregistration.k8s.io/v1";
const CONFIG_MAP_PARAMS = { apiVersion: "v1", kind: "ConfigMap" };
const podCreate = {
  resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], resources: ["pods"], operations: ["CREATE"] }],
};

// Kubernetes' own controllers must still be able to clean up a deleted tenant namespace.
const KUBE_CONTROLLERS = [
  "system:serviceaccount:kube-system:namespace-controller",
  "system:serviceaccount:kube-system:generic-garbage-collector",
];

export interface RuntimeClasses {
  allowed: string[];
  default: string;
}

export function paramsName(tenant: string): string {
  return `tenant-${tenant}`;
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
      ],
    },
  } as KubernetesObject;
}

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
    metadata: { name: POLICY.tamper, labels: { ...MANAGED_BY } },
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

/** Cluster-wide, shared by every tenant; each tenant adds only bindings and parameters. */
export function sharedPolicies(platformIdentities: readonly string[]): KubernetesObject[] {
  const tamperBinding = {
    apiVersion: ADMISSION,
    kind: "ValidatingAdmissionPolicyBinding",
    metadata: { name: POLICY.tamper, labels: { ...MANAGED_BY } },
    spec: { policyName: POLICY.tamper, validationActions: ["Deny"] },
  };
  return [defaultClassPolicy(), allowedClassesPolicy(), tamperPolicy(platformIdentities), tamperBinding];
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
  ] as unknown as KubernetesObject[];
}
