// The namespace-scoped objects of one tenant namespace: what the tenant lives in and cannot undo.
import type { KubernetesObject } from "@kubernetes/client-node";
import type { EventData } from "../../schemas/events.ts";
import { TENANT_LABEL } from "../../schemas/names.ts";
import { MANAGED_BY } from "../../shared/kube-apply.ts";
import { TENANT_OBJECT_NAMES as NAMES } from "../../shared/tenant-release.ts";

export type TenantRequest = EventData<"tenant.requested">;

// Used when the request names no quota: enough for a small team, small enough to notice abuse.
export const DEFAULT_QUOTA = { cpu: "8", memory: "16Gi", pods: 50 } as const;

const labels = (tenant: string): Record<string, string> => ({ ...MANAGED_BY, [TENANT_LABEL]: tenant });

export function namespaceObject(tenant: string, name: string): KubernetesObject {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name,
      labels: {
        ...labels(tenant),
        // Kata isolates the kernel; Pod Security still keeps tenants from asking for host access.
        "pod-security.kubernetes.io/enforce": "baseline",
        "pod-security.kubernetes.io/warn": "restricted",
        "pod-security.kubernetes.io/audit": "restricted",
      },
    },
  };
}

function resourceQuota(request: TenantRequest, namespace: string): KubernetesObject {
  const quota = { ...DEFAULT_QUOTA, ...request.quota };
  return {
    apiVersion: "v1",
    kind: "ResourceQuota",
    metadata: { name: NAMES.quota, namespace, labels: labels(request.tenant) },
    spec: {
      hard: {
        "requests.cpu": quota.cpu,
        "requests.memory": quota.memory,
        "limits.cpu": quota.cpu,
        "limits.memory": quota.memory,
        pods: String(quota.pods),
        // No default: left out, the tenant's claims are not limited, and a re-request that drops it removes it.
        ...(quota.storage ? { "requests.storage": quota.storage } : {}),
      },
    },
  } as KubernetesObject;
}

// With a cpu/memory quota, a pod without requests is refused; defaults keep plain manifests working.
function limitRange(request: TenantRequest, namespace: string): KubernetesObject {
  return {
    apiVersion: "v1",
    kind: "LimitRange",
    metadata: { name: NAMES.limits, namespace, labels: labels(request.tenant) },
    spec: {
      limits: [
        {
          type: "Container",
          default: { cpu: "500m", memory: "512Mi" },
          defaultRequest: { cpu: "100m", memory: "128Mi" },
        },
      ],
    },
  } as KubernetesObject;
}

/**
 * Ingress only from the tenant's own namespaces. Every tenant namespace gets it, so traffic
 * between two tenants is refused at the receiving end whichever way it flows.
 */
function isolationPolicy(request: TenantRequest, namespace: string): KubernetesObject {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: NAMES.isolation, namespace, labels: labels(request.tenant) },
    spec: {
      // Quarantined pods are left to the quarantine policy alone: policies add up, and this
      // one's allowances would otherwise reopen them to the tenant's namespaces.
      podSelector: { matchExpressions: [{ key: "icn.akraino.org/quarantine", operator: "DoesNotExist" }] },
      policyTypes: ["Ingress"],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { [TENANT_LABEL]: request.tenant } } }] }],
    },
  } as KubernetesObject;
}

function subjectOf(admin: TenantRequest["admins"][number], namespace: string): Record<string, string> {
  if (admin.kind === "ServiceAccount")
    return { kind: "ServiceAccount", name: admin.name, namespace: admin.namespace ?? namespace };
  return { kind: admin.kind, name: admin.name, apiGroup: "rbac.authorization.k8s.io" };
}

export function adminBinding(request: TenantRequest, namespace: string): KubernetesObject {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata: { name: NAMES.admins, namespace, labels: labels(request.tenant) },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "admin" },
    subjects: request.admins.map((admin) => subjectOf(admin, namespace)),
  } as KubernetesObject;
}

/** What confines the tenant in one namespace; its admins' RoleBinding comes only after these are enforced. */
export function confinement(request: TenantRequest, namespace: string): KubernetesObject[] {
  return [
    resourceQuota(request, namespace),
    limitRange(request, namespace),
    isolationPolicy(request, namespace),
  ];
}
