// Who may change a tenant and whether a request is newer than the one last applied: one rule for every tenant event.
import type { KubernetesObject } from "@kubernetes/client-node";
import { PLATFORM_NAMESPACE, TENANT_LABEL } from "../schemas/names.ts";
import { futureTimeReason, maxClockSkewFromEnv } from "./clock.ts";
import { envString } from "./env.ts";
import { classifyKubeError, permanent } from "./errors.ts";
import { readIfExists } from "./kube-apply.ts";
import type { Kube } from "./kube.ts";
import { loadTenantGrants, mayChangeTenant, type TenantGrant } from "./tenant-grants.ts";

/** What every function that changes a tenant checks a request against. */
export interface TenantChangeOptions {
  /** How far ahead of this clock an event's time may be. */
  maxClockSkewMs: number;
  /** Sources the operator lets change tenants that another source created (the ingress's `tenants` patterns). */
  tenantGrants: readonly TenantGrant[];
}

export function tenantChangeOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): TenantChangeOptions {
  const sources = envString(env, "ICN_INGRESS_SOURCES");
  return {
    maxClockSkewMs: maxClockSkewFromEnv(env),
    tenantGrants: sources ? loadTenantGrants(sources) : [],
  };
}

/** The tenant a refused request named, for its tenant.rejected (the name may be what was invalid). */
export function rejectedTenant(event: { data?: unknown }): { tenant?: string } {
  const tenant = (event.data as { tenant?: unknown } | undefined)?.tenant;
  return typeof tenant === "string" && tenant.length <= 63 ? { tenant } : {};
}

/** A producer time far ahead would outrank every later request for the tenant: refused before anything is read. */
export function refuseFutureTime(time: string | undefined, options: TenantChangeOptions): void {
  const future = futureTimeReason(time, options.maxClockSkewMs);
  if (future) throw permanent("FUTURE_EVENT_TIME", future);
}

/** The tenant's admission-policy parameters (provision-tenant's), in the platform's namespace. */
export function paramsName(tenant: string): string {
  return `tenant-${tenant}`;
}

/** A ConfigMap's data: the tenant's parameters, or its lifecycle state (shared/tenant-state.ts). */
export type TenantRecord = Record<string, string>;

export async function readConfigMapData(
  kube: Kube,
  name: string,
): Promise<{ data: TenantRecord; resourceVersion?: string } | undefined> {
  const found = await readIfExists<KubernetesObject>(kube, {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: PLATFORM_NAMESPACE },
  });
  if (!found) return undefined;
  const data = (found as { data?: TenantRecord }).data ?? {};
  return { data, resourceVersion: found.metadata?.resourceVersion };
}

/** The namespaces that carry the tenant's label now: the cluster's answer, whatever the last request said. */
export async function tenantNamespacesOf(kube: Kube, tenant: string): Promise<string[]> {
  try {
    const list = await kube.core.listNamespace({ labelSelector: `${TENANT_LABEL}=${tenant}` });
    return list.items.map((ns) => ns.metadata?.name ?? "").filter(Boolean);
  } catch (err) {
    throw classifyKubeError(err, `list the namespaces of tenant ${tenant}`);
  }
}

export async function readTenantRecord(kube: Kube, tenant: string): Promise<TenantRecord | undefined> {
  return (await readConfigMapData(kube, paramsName(tenant)))?.data;
}

/**
 * A tenant belongs to the source that created it; another source may change it only where the
 * operator granted that source the tenant. Returns the owner to record.
 */
export function checkOwner(
  record: TenantRecord | undefined,
  request: { tenant: string; source: string },
  grants: readonly TenantGrant[],
): string {
  // Tenants created before owners were recorded belong to the first source that changes them.
  const owner = record?.ownerSource;
  if (!owner || owner === request.source || mayChangeTenant(grants, request.source, request.tenant))
    return owner ?? request.source;
  throw permanent(
    "NOT_TENANT_OWNER",
    `tenant ${request.tenant} belongs to source ${owner}; source ${request.source} may not change it unless the operator grants it the tenant (a "tenants" pattern on its ingress source); nothing was changed`,
  );
}

/** The request's place in time: producer time first, then the stream sequence that broke ties. */
export interface RequestStamp {
  id: string;
  time: string;
  sequence: number;
}

/** The stamp as a record keeps it, so that `orderRequest` can read it back. */
export function stampFields(stamp: RequestStamp): TenantRecord {
  return {
    lastRequestId: stamp.id,
    lastRequestTime: stamp.time,
    lastRequestSequence: String(stamp.sequence),
  };
}

export function stampData(stamp: RequestStamp, ownerSource: string): TenantRecord {
  return { ownerSource, ...stampFields(stamp) };
}

function isOlder(request: RequestStamp, applied: RequestStamp): boolean {
  const [a, b] = [Date.parse(request.time), Date.parse(applied.time)];
  if (a !== b) return a < b;
  return request.sequence < applied.sequence;
}

/**
 * Throws STALE_REQUEST when a newer request was already applied. Returns the stamp to record:
 * a replay of the request last applied keeps its original stamp, so it changes nothing at all.
 */
export function orderRequest(
  tenant: string,
  record: TenantRecord | undefined,
  request: RequestStamp,
): RequestStamp {
  if (!record?.lastRequestTime) return request;
  const applied = {
    id: record.lastRequestId ?? "",
    time: record.lastRequestTime,
    sequence: Number(record.lastRequestSequence ?? 0),
  };
  if (applied.id === request.id) return applied;
  if (isOlder(request, applied))
    throw permanent(
      "STALE_REQUEST",
      `a newer request for tenant ${tenant} (${applied.id}, ${applied.time}) is already applied; this one changes nothing`,
    );
  if (record[LIFECYCLE] === "retiring")
    throw permanent(
      "TENANT_RETIRING",
      `tenant ${tenant} is being retired (request ${applied.id}); nothing was changed: send this again once tenant.retired says it is gone`,
    );
  return request;
}

/**
 * Where a tenant's record says it is leaving: `retiring` from a retire's first step, `retired` once only the record
 * (a tombstone that keeps the retire's place in time) is left. Any other value, or none: the tenant lives.
 */
export const LIFECYCLE = "lifecycle";
export type Lifecycle = "retiring" | "retired";

/** The record's keys that say the tenant may not be retired (a request's `protection.deletion`). */
export function protectionData(request: { protection?: { deletion?: boolean } }): TenantRecord {
  return request.protection?.deletion ? { deletionProtection: "true" } : {};
}

/** A retired tenant has no state to set: only a newer tenant.requested brings it back. */
export function refuseRetired(tenant: string, record: TenantRecord): void {
  if (record[LIFECYCLE] === "retired")
    throw permanent(
      "NOT_FOUND",
      `tenant ${tenant} was retired (request ${record.lastRequestId ?? ""}); nothing was changed`,
    );
  if (record[LIFECYCLE] === "retiring")
    throw permanent(
      "TENANT_RETIRING",
      `tenant ${tenant} is being retired (request ${record.lastRequestId ?? ""}); its state is the retire's, nothing was changed`,
    );
}
