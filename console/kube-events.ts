// The Kubernetes Events the functions recorded on the objects an event's story touched (its node, its
// tenant's namespaces, its pod), from the apiserver: what `kubectl describe` shows of them.
import type { CoreV1Event } from "@kubernetes/client-node";
import { tenantNamespacesOf } from "../shared/tenant-record.ts";
import type { Kube } from "../shared/kube.ts";
import type { EventRow } from "./rows.ts";

export interface KubeEventRow {
  at: string;
  namespace: string;
  object: string;
  reason: string;
  note: string;
  type: string;
  controller: string;
}

interface Touched {
  namespace: string;
  name: string;
}

const text = (data: unknown, key: string): string | undefined => {
  const value = data && typeof data === "object" ? (data as Record<string, unknown>)[key] : undefined;
  return typeof value === "string" ? value : undefined;
};

/** Where recordEvent keeps each object's Events: a Node's in "default", a Namespace's in itself. */
async function touchedBy(kube: Kube, data: unknown): Promise<Touched[]> {
  const touched: Touched[] = [];
  const [node, tenant, namespace, pod] = ["node", "tenant", "namespace", "pod"].map((k) => text(data, k));
  if (node) touched.push({ namespace: "default", name: node });
  if (namespace && pod) touched.push({ namespace, name: pod });
  if (tenant)
    for (const ns of await tenantNamespacesOf(kube, tenant).catch(() => []))
      touched.push({ namespace: ns, name: ns });
  return touched;
}

const rowOfEvent = (e: CoreV1Event): KubeEventRow => ({
  at: new Date(e.eventTime ?? e.lastTimestamp ?? e.firstTimestamp ?? 0).toISOString(),
  namespace: e.metadata.namespace ?? "",
  object: `${e.involvedObject.kind ?? ""}/${e.involvedObject.name ?? ""}`,
  reason: e.reason ?? "",
  note: e.message ?? "",
  type: e.type ?? "",
  controller: e.reportingComponent ?? "",
});

async function eventsOn(kube: Kube, { namespace, name }: Touched): Promise<KubeEventRow[]> {
  const list = await kube.core.listNamespacedEvent({
    namespace,
    fieldSelector: `involvedObject.name=${name}`,
  });
  return list.items.filter((e) => e.reportingComponent?.startsWith("icn.akraino.org/")).map(rowOfEvent);
}

/** The platform's Events on those objects since the story began, oldest first. */
export async function kubeEventsFor(kube: Kube, events: readonly EventRow[]): Promise<KubeEventRow[]> {
  const start = Math.min(...events.map((e) => Date.parse(e.time ?? e.storedAt))) - 60_000;
  const touched = new Map<string, Touched>();
  for (const event of events)
    for (const object of await touchedBy(kube, event.data))
      touched.set(`${object.namespace}/${object.name}`, object);
  const rows = (await Promise.all([...touched.values()].map((object) => eventsOn(kube, object)))).flat();
  return rows.filter((r) => Date.parse(r.at) >= start).sort((a, b) => a.at.localeCompare(b.at));
}
