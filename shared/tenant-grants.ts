// Which sources an operator lets send requests for which tenants: the ingress's `tenants` patterns, read once for both
// the ingress (a source may only request its tenants) and provision-tenant (only a granted source may change a tenant
// that another source created).
import { sourceBelongsTo } from "./ingress/auth.ts";
import { loadSources, type IngressSource } from "./ingress/sources.ts";

/** Events whose `source` lies at or below sourcePattern may request the tenants that match these patterns. */
export interface TenantGrant {
  sourcePattern: string;
  tenants: readonly string[];
}

/** A pattern is an exact tenant name, or a prefix ending in `*`; `*` alone matches every tenant. */
export function tenantMatches(patterns: readonly string[], tenant: string): boolean {
  return patterns.some((pattern) =>
    pattern.endsWith("*") ? tenant.startsWith(pattern.slice(0, -1)) : tenant === pattern,
  );
}

/** Only sources with `tenants` grant anything: a source without it may create tenants, not change others'. */
export function tenantGrantsFromSources(sources: readonly IngressSource[]): TenantGrant[] {
  return sources.flatMap((source) =>
    source.tenants ? [{ sourcePattern: source.sourcePattern, tenants: source.tenants }] : [],
  );
}

/** Reads the ingress's sources file (ICN_INGRESS_SOURCES), validated as the ingress does; no token is kept. */
export function loadTenantGrants(path: string): TenantGrant[] {
  return tenantGrantsFromSources(loadSources(path));
}

/** True when a grant owns this event source (the ingress's "this URI or below it" rule) and matches the tenant. */
export function mayChangeTenant(
  grants: readonly TenantGrant[],
  eventSource: string,
  tenant: string,
): boolean {
  return grants.some(
    (grant) => sourceBelongsTo(eventSource, grant.sourcePattern) && tenantMatches(grant.tenants, tenant),
  );
}
