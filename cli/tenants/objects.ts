// What the platform applied for a tenant, as the cluster has it now, and the Kubernetes Events in its namespaces.
import { EventsV1Api, type EventsV1Event, type KubernetesObject } from "@kubernetes/client-node";
import { plan } from "../../functions/provision-tenant/provision.ts";
import type { TenantRequest } from "../../functions/provision-tenant/tenant-objects.ts";
import { PLATFORM_NAMESPACE, TENANT_LABEL } from "../../schemas/names.ts";
import { classifyKubeError } from "../../shared/errors.ts";
import { refOf } from "../../shared/kube-apply.ts";
import type { Kube } from "../../shared/kube.ts";

export interface AppliedObject {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  created?: string;
}

export interface TenantEvent {
  namespace: string;
  time: string;
  type: string;
  reason: string;
  object: string;
  note: string;
  from: string;
}

/** Where a planned kind lives: cluster-wide, in the platform's namespace, or in each tenant namespace. */
interface PlannedKind {
  apiVersion: string;
  kind: string;
  scope: "cluster" | "platform" | "tenant";
}

/**
 * The kinds provision-tenant labels with the tenant, read off its own plan for a one-namespace tenant, so a
 * kind it starts to apply shows here without a second list to keep. Namespaces are read on their own.
 */
function plannedKinds(tenant: string): PlannedKind[] {
  const request: TenantRequest = { tenant, admins: [{ kind: "User", name: "any" }] };
  const { cluster, namespaces } = plan(
    request,
    { allowed: [], default: "" },
    { identities: [], kataClasses: [] },
    {},
  );
  const objects = [...cluster, ...namespaces.flatMap((ns) => [...ns.confine, ns.admins])];
  const kinds = new Map<string, PlannedKind>();
  for (const obj of objects) {
    if (obj.kind === "Namespace" || obj.metadata?.labels?.[TENANT_LABEL] !== tenant) continue;
    const namespace = obj.metadata.namespace;
    const scope = !namespace ? "cluster" : namespace === PLATFORM_NAMESPACE ? "platform" : "tenant";
    const [apiVersion, kind] = [obj.apiVersion ?? "", obj.kind ?? ""];
    kinds.set(`${apiVersion}/${kind}/${scope}`, { apiVersion, kind, scope });
  }
  return [...kinds.values()];
}

async function listLabelled(
  kube: Kube,
  kind: PlannedKind,
  namespace: string | undefined,
  tenant: string,
): Promise<KubernetesObject[]> {
  try {
    const selector = `${TENANT_LABEL}=${tenant}`;
    const list = await kube.objects.list(
      kind.apiVersion,
      kind.kind,
      namespace,
      undefined,
      undefined,
      undefined,
      undefined,
      selector,
    );
    // A list's items carry no kind of their own.
    return list.items.map((item) => ({ ...item, apiVersion: kind.apiVersion, kind: kind.kind }));
  } catch (err) {
    throw classifyKubeError(err, `list the ${kind.kind}s of tenant ${tenant}`);
  }
}

const appliedOf = (obj: KubernetesObject): AppliedObject => ({
  apiVersion: obj.apiVersion ?? "",
  kind: obj.kind ?? "",
  ...(obj.metadata?.namespace ? { namespace: obj.metadata.namespace } : {}),
  name: obj.metadata?.name ?? "",
  ...(obj.metadata?.creationTimestamp
    ? { created: new Date(obj.metadata.creationTimestamp).toISOString() }
    : {}),
});

/** The tenant's objects in the cluster: its namespaces, then what was applied cluster-wide, in icn-system and in each namespace. */
export async function appliedObjects(
  kube: Kube,
  tenant: string,
  namespaces: readonly string[],
): Promise<AppliedObject[]> {
  const found = await listLabelled(
    kube,
    { apiVersion: "v1", kind: "Namespace", scope: "cluster" },
    undefined,
    tenant,
  );
  for (const kind of plannedKinds(tenant)) {
    const where =
      kind.scope === "tenant" ? namespaces : [kind.scope === "platform" ? PLATFORM_NAMESPACE : undefined];
    for (const namespace of where) found.push(...(await listLabelled(kube, kind, namespace, tenant)));
  }
  const key = (obj: KubernetesObject): string => `${rank(obj)}${refOf(obj)}`;
  return found.sort((a, b) => key(a).localeCompare(key(b))).map(appliedOf);
}

// Namespaces first, then cluster-wide objects, then the namespaced ones.
const rank = (obj: KubernetesObject): number =>
  obj.kind === "Namespace" ? 0 : obj.metadata?.namespace ? 2 : 1;

const timeOf = (e: EventsV1Event): string => {
  const at = e.eventTime ?? e.deprecatedLastTimestamp ?? e.metadata?.creationTimestamp;
  return at ? new Date(at).toISOString() : "";
};

const eventOf = (e: EventsV1Event): TenantEvent => ({
  namespace: e.metadata?.namespace ?? "",
  time: timeOf(e),
  type: e.type ?? "",
  reason: e.reason ?? "",
  object: [e.regarding?.kind, e.regarding?.name].filter(Boolean).join("/"),
  note: e.note ?? "",
  from: e.reportingController ?? e.deprecatedSource?.component ?? "",
});

/** The newest `limit` Events of the tenant's namespaces (the platform's and everyone else's), oldest first. */
export async function tenantEvents(
  kube: Kube,
  namespaces: readonly string[],
  limit: number,
): Promise<TenantEvent[]> {
  const api = kube.config.makeApiClient(EventsV1Api);
  const events: TenantEvent[] = [];
  for (const namespace of namespaces) {
    try {
      events.push(...(await api.listNamespacedEvent({ namespace })).items.map(eventOf));
    } catch (err) {
      throw classifyKubeError(err, `list the Events of namespace ${namespace}`);
    }
  }
  events.sort((a, b) => a.time.localeCompare(b.time));
  return limit > 0 ? events.slice(-limit) : [];
}
