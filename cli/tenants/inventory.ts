// What the cluster says of its tenants: their records and states in icn-system and the namespaces labelled theirs.
import type { V1ConfigMap } from "@kubernetes/client-node";
import { PLATFORM_NAMESPACE, RELEASED_LABEL, TENANT_LABEL } from "../../schemas/names.ts";
import { classifyKubeError } from "../../shared/errors.ts";
import type { Kube } from "../../shared/kube.ts";
import { LIFECYCLE, paramsName, type Lifecycle, type TenantRecord } from "../../shared/tenant-record.ts";
import { stateName, TENANT_STATES } from "../../shared/tenant-state.ts";

/** A request as a tenant's ConfigMaps stamp it (shared/tenant-record.ts stampFields). */
export interface RequestStamp {
  id: string;
  time: string;
  sequence: number;
}

export interface TenantSummary {
  tenant: string;
  /**
   * Where the tenant is leaving, its record's lifecycle (retiring, retired); else its state ConfigMap's word,
   * whatever it is (cordoned, ...); active when neither says anything.
   */
  state: string;
  /** Why the state was set, as its request said. */
  reason?: string;
  /** The namespaces carrying the tenant label now. */
  namespaces: string[];
  /** The source the tenant belongs to. */
  owner?: string;
  /** The request last applied to the tenant: a tenant.requested, or the retire that is removing it. */
  lastRequest?: RequestStamp;
  /** The cordon, uncordon or retire request that set the state, and its source. */
  lastStateChange?: RequestStamp & { source?: string };
}

/** The tenant's ConfigMaps in the platform's namespace: its parameters and request record, and its state. */
export interface TenantConfigMaps {
  record?: TenantRecord;
  state?: TenantRecord;
}

const ACTIVE: string = TENANT_STATES[0];
const LEAVING: readonly Lifecycle[] = ["retiring", "retired"];

function stateOf({ record, state }: TenantConfigMaps): string {
  const lifecycle = record?.[LIFECYCLE];
  if (LEAVING.some((word) => word === lifecycle)) return lifecycle as string;
  return state?.state || ACTIVE;
}

function stampOf(data: TenantRecord | undefined): RequestStamp | undefined {
  if (!data?.lastRequestId) return undefined;
  return {
    id: data.lastRequestId,
    time: data.lastRequestTime ?? "",
    sequence: Number(data.lastRequestSequence ?? 0),
  };
}

export function summaryOf(tenant: string, maps: TenantConfigMaps, namespaces: string[]): TenantSummary {
  const { record, state } = maps;
  const change = stampOf(state);
  return {
    tenant,
    state: stateOf(maps),
    ...(state?.reason ? { reason: state.reason } : {}),
    namespaces: [...namespaces].sort(),
    ...(record?.ownerSource ? { owner: record.ownerSource } : {}),
    ...(record && stampOf(record) ? { lastRequest: stampOf(record) } : {}),
    ...(change ? { lastStateChange: { ...change, source: state?.requestSource } } : {}),
  };
}

async function tenantConfigMaps(kube: Kube, selector: string): Promise<V1ConfigMap[]> {
  try {
    return (
      await kube.core.listNamespacedConfigMap({ namespace: PLATFORM_NAMESPACE, labelSelector: selector })
    ).items;
  } catch (err) {
    throw classifyKubeError(err, `list the tenants' ConfigMaps in ${PLATFORM_NAMESPACE}`);
  }
}

/** Namespace names by the value of `label` (a tenant), among namespaces matching `selector`. */
export async function namespacesBy(
  kube: Kube,
  label: string,
  selector: string,
): Promise<Map<string, string[]>> {
  try {
    const byTenant = new Map<string, string[]>();
    for (const ns of (await kube.core.listNamespace({ labelSelector: selector })).items) {
      const tenant = ns.metadata?.labels?.[label] ?? "";
      byTenant.set(tenant, [...(byTenant.get(tenant) ?? []), ns.metadata?.name ?? ""]);
    }
    return byTenant;
  } catch (err) {
    throw classifyKubeError(err, "list the tenant namespaces");
  }
}

/** Sorts each tenant's ConfigMaps by what they are: a tenant name has no dot, so `tenant-<name>.state` is never parameters. */
function byTenant(maps: readonly V1ConfigMap[]): Map<string, TenantConfigMaps> {
  const tenants = new Map<string, TenantConfigMaps>();
  for (const map of maps) {
    const tenant = map.metadata?.labels?.[TENANT_LABEL] ?? "";
    const entry = tenants.get(tenant) ?? {};
    if (map.metadata?.name === paramsName(tenant)) entry.record = map.data ?? {};
    else if (map.metadata?.name === stateName(tenant)) entry.state = map.data ?? {};
    else continue;
    tenants.set(tenant, entry);
  }
  return tenants;
}

/** Every tenant the cluster knows of: by its record, its state (a retired tenant may keep only that) or its namespaces. */
export async function listTenants(kube: Kube): Promise<TenantSummary[]> {
  const [maps, namespaces] = await Promise.all([
    tenantConfigMaps(kube, TENANT_LABEL).then(byTenant),
    namespacesBy(kube, TENANT_LABEL, TENANT_LABEL),
  ]);
  const names = [...new Set([...maps.keys(), ...namespaces.keys()])].filter(Boolean).sort();
  return names.map((tenant) => summaryOf(tenant, maps.get(tenant) ?? {}, namespaces.get(tenant) ?? []));
}

/** One tenant's ConfigMaps, namespaces, and the namespaces released from it that are still frozen. */
export async function readTenant(
  kube: Kube,
  tenant: string,
): Promise<{ summary: TenantSummary; maps: TenantConfigMaps; released: string[] } | undefined> {
  const selector = `${TENANT_LABEL}=${tenant}`;
  const [maps, namespaces, released] = await Promise.all([
    tenantConfigMaps(kube, selector).then(byTenant),
    namespacesBy(kube, TENANT_LABEL, selector),
    namespacesBy(kube, RELEASED_LABEL, `${RELEASED_LABEL}=${tenant}`),
  ]);
  const own = maps.get(tenant) ?? {};
  const names = namespaces.get(tenant) ?? [];
  if (!own.record && !own.state && names.length === 0) return undefined;
  // A namespace being released keeps the tenant label until its last step: it is still the tenant's.
  const frozen = (released.get(tenant) ?? []).filter((ns) => !names.includes(ns)).sort();
  return { summary: summaryOf(tenant, own, names), maps: own, released: frozen };
}
