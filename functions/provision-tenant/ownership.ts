// Who owns a namespace and a tenant, and whether a request is newer than the one a tenant last applied.
import type { KubernetesObject } from "@kubernetes/client-node";
import { ADOPT_LABEL, isTenantNamespace, PLATFORM_NAMESPACE, TENANT_LABEL } from "../../schemas/names.ts";
import { permanent, type IcnError } from "../../shared/errors.ts";
import { readIfExists } from "../../shared/kube-apply.ts";
import type { Kube } from "../../shared/kube.ts";
import { mayChangeTenant, type TenantGrant } from "../../shared/tenant-grants.ts";
import { paramsName } from "./admission-policies.ts";

/** Why this request may not take this existing namespace, or undefined when it may (its own, or approved). */
export function namespaceRefusal(namespace: KubernetesObject, tenant: string): IcnError | undefined {
  const name = namespace.metadata?.name ?? "";
  const labels = namespace.metadata?.labels ?? {};
  const owner = labels[TENANT_LABEL];
  if (owner === tenant) return undefined;
  if (owner !== undefined) {
    // A tenant owns "<tenant>-<suffix>" names too, so an older tenant can hold a newer one's name.
    const held =
      isTenantNamespace(name, owner) && name !== owner ? ` (as one of its "${owner}-…" namespaces)` : "";
    const own =
      name === tenant
        ? `; tenant ${tenant} cannot be created under this name: choose another tenant name`
        : "";
    return permanent(
      "NAMESPACE_TAKEN",
      `namespace ${name} belongs to tenant ${owner}${held}${own}, or ask tenant ${owner}'s owner to drop it from that tenant; nothing was changed`,
    );
  }
  if (labels[ADOPT_LABEL] === tenant) return undefined;
  return permanent(
    "ADOPTION_NOT_APPROVED",
    `namespace ${name} already exists and is no tenant's; moving it into tenant ${tenant} is a cluster operator's decision: ` +
      `to approve it, run \`kubectl label namespace ${name} ${ADOPT_LABEL}=${tenant}\` and send the request again; nothing was changed`,
  );
}

/** Refuses the whole request before anything is written; returns the namespaces it adopts. */
export async function checkNamespaces(
  kube: Kube,
  tenant: string,
  namespaces: readonly string[],
): Promise<{ adopted: string[] }> {
  const adopted: string[] = [];
  for (const name of namespaces) {
    const existing = await readIfExists<KubernetesObject>(kube, {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name },
    });
    if (!existing) continue;
    const refusal = namespaceRefusal(existing, tenant);
    if (refusal) throw refusal;
    if (existing.metadata?.labels?.[TENANT_LABEL] !== tenant) adopted.push(name);
  }
  return { adopted };
}

/** What the platform remembers of a tenant, in its parameters ConfigMap (the platform's namespace). */
export type TenantRecord = Record<string, string>;

export async function readTenantRecord(kube: Kube, tenant: string): Promise<TenantRecord | undefined> {
  const params = await readIfExists(kube, {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: paramsName(tenant), namespace: PLATFORM_NAMESPACE },
  });
  return (params as (KubernetesObject & { data?: TenantRecord }) | undefined)?.data;
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

export function stampData(stamp: RequestStamp, ownerSource: string): TenantRecord {
  return {
    ownerSource,
    lastRequestId: stamp.id,
    lastRequestTime: stamp.time,
    lastRequestSequence: String(stamp.sequence),
  };
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
  return request;
}
