// The tenants page: what the apiserver says of each tenant (namespaces, state, admins, classes, quota,
// quarantined pods, last request), read where provision-tenant and cordon-tenant write it.
import { RbacAuthorizationV1Api, type RbacV1Subject, type V1ConfigMap } from "@kubernetes/client-node";
import { PLATFORM_NAMESPACE, QUARANTINE_LABEL, TENANT_LABEL } from "../schemas/names.ts";
import type { Kube } from "../shared/kube.ts";
import { MANAGED_BY } from "../shared/kube-apply.ts";
import { paramsName } from "../shared/tenant-record.ts";
import { stateName } from "../shared/tenant-state.ts";
import { HttpError } from "./http.ts";

export interface TenantSummary {
  tenant: string;
  namespaces: string[];
  /** active unless a cordon (or a later day-2 state) says otherwise. */
  state: string;
  stateReason?: string;
  allowedRuntimeClasses: string[];
  defaultRuntimeClass?: string;
  owner?: string;
  quarantinedPods: number;
  lastRequest?: { id: string; time: string };
}

export interface TenantDetail extends TenantSummary {
  admins: { namespace: string; kind: string; name: string }[];
  quotas: { namespace: string; resource: string; used: string; hard: string }[];
  quarantined: { namespace: string; pod: string; phase: string; runtimeClass: string }[];
}

const managedBy = Object.entries(MANAGED_BY)
  .map(([k, v]) => `${k}=${v}`)
  .join(",");

async function records(kube: Kube): Promise<Map<string, V1ConfigMap>> {
  const list = await kube.core.listNamespacedConfigMap({
    namespace: PLATFORM_NAMESPACE,
    labelSelector: TENANT_LABEL,
  });
  return new Map(list.items.map((cm) => [cm.metadata?.name ?? "", cm]));
}

async function namespacesByTenant(kube: Kube): Promise<Map<string, string[]>> {
  const byTenant = new Map<string, string[]>();
  for (const ns of (await kube.core.listNamespace({ labelSelector: TENANT_LABEL })).items) {
    const tenant = ns.metadata?.labels?.[TENANT_LABEL] ?? "";
    byTenant.set(tenant, [...(byTenant.get(tenant) ?? []), ns.metadata?.name ?? ""].sort());
  }
  return byTenant;
}

function summaryOf(
  tenant: string,
  found: { records: Map<string, V1ConfigMap>; namespaces: string[]; quarantined: number },
): TenantSummary {
  const params = found.records.get(paramsName(tenant))?.data ?? {};
  const state = found.records.get(stateName(tenant))?.data ?? {};
  return {
    tenant,
    namespaces: found.namespaces,
    state: state.state || "active",
    stateReason: state.reason || undefined,
    allowedRuntimeClasses: (params.allowedRuntimeClasses ?? "").split(",").filter(Boolean),
    defaultRuntimeClass: params.defaultRuntimeClass,
    owner: params.ownerSource,
    quarantinedPods: found.quarantined,
    lastRequest: params.lastRequestId
      ? { id: params.lastRequestId, time: params.lastRequestTime ?? "" }
      : undefined,
  };
}

async function quarantinedPods(kube: Kube): Promise<TenantDetail["quarantined"]> {
  const pods = await kube.core.listPodForAllNamespaces({ labelSelector: `${QUARANTINE_LABEL}=true` });
  return pods.items.map((p) => ({
    namespace: p.metadata?.namespace ?? "",
    pod: p.metadata?.name ?? "",
    phase: p.status?.phase ?? "",
    runtimeClass: p.spec?.runtimeClassName ?? "",
  }));
}

export async function tenantList(kube: Kube): Promise<TenantSummary[]> {
  const [found, namespaces, quarantined] = await Promise.all([
    records(kube),
    namespacesByTenant(kube),
    quarantinedPods(kube),
  ]);
  const tenants = new Set([...namespaces.keys()]);
  for (const cm of found.values()) tenants.add(cm.metadata?.labels?.[TENANT_LABEL] ?? "");
  tenants.delete("");
  return [...tenants].sort().map((tenant) => {
    const own = namespaces.get(tenant) ?? [];
    const count = quarantined.filter((q) => own.includes(q.namespace)).length;
    return summaryOf(tenant, { records: found, namespaces: own, quarantined: count });
  });
}

const subjectOf = (namespace: string, s: RbacV1Subject): TenantDetail["admins"][number] => ({
  namespace,
  kind: s.kind,
  name: s.namespace ? `${s.namespace}/${s.name}` : s.name,
});

async function adminsIn(kube: Kube, namespace: string): Promise<TenantDetail["admins"]> {
  const rbac = kube.config.makeApiClient(RbacAuthorizationV1Api);
  const bindings = await rbac.listNamespacedRoleBinding({ namespace, labelSelector: managedBy });
  return bindings.items
    .filter((b) => b.roleRef.kind === "ClusterRole" && b.roleRef.name === "admin")
    .flatMap((b) => (b.subjects ?? []).map((s) => subjectOf(namespace, s)));
}

async function quotasIn(kube: Kube, namespace: string): Promise<TenantDetail["quotas"]> {
  const quotas = await kube.core.listNamespacedResourceQuota({ namespace });
  return quotas.items.flatMap((q) =>
    Object.entries(q.status?.hard ?? {}).map(([resource, hard]) => ({
      namespace,
      resource,
      used: q.status?.used?.[resource] ?? "0",
      hard,
    })),
  );
}

export async function tenantDetail(kube: Kube, tenant: string): Promise<TenantDetail> {
  const summary = (await tenantList(kube)).find((t) => t.tenant === tenant);
  if (!summary) throw new HttpError(404, `no tenant ${tenant}: no namespace or record carries its label`);
  const per = await Promise.all(
    summary.namespaces.map(async (ns) => ({
      admins: await adminsIn(kube, ns),
      quotas: await quotasIn(kube, ns),
    })),
  );
  const quarantined = (await quarantinedPods(kube)).filter((q) => summary.namespaces.includes(q.namespace));
  return {
    ...summary,
    admins: per.flatMap((p) => p.admins),
    quotas: per.flatMap((p) => p.quotas),
    quarantined,
  };
}
