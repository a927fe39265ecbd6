// Counting what a run left behind: messages by header on the bus, outcome records, and Kubernetes objects and Events.
import { CoreV1Api, EventsV1Api, type KubeConfig } from "@kubernetes/client-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { isResultOrigin } from "../../shared/host/emitted.ts";
import { Kvm } from "@nats-io/kv";
import type { MsgHdrs, NatsConnection } from "@nats-io/transport-node";
import { RESULT_OF, subjectOf, type EventName } from "../../schemas/events.ts";
import { TENANT_LABEL } from "./workload.ts";

/** Counts a stream's messages (on `subjects`, or all) by a key read from their headers; reads headers only. */
export async function countByHeaders(
  nc: NatsConnection,
  stream: string,
  key: (headers: MsgHdrs | undefined) => string,
  subjects?: readonly string[],
): Promise<Map<string, number>> {
  const info = await (await jetstreamManager(nc)).streams.info(stream, { subjects_filter: ">" });
  const all = info.state.subjects ?? {};
  let left = subjects ? subjects.reduce((sum, s) => sum + (all[s] ?? 0), 0) : info.state.messages;
  const counts = new Map<string, number>();
  if (left === 0) return counts;
  const filter = subjects ? { filter_subjects: [...subjects] } : {};
  const consumer = await jetstream(nc).consumers.get(stream, { ...filter, headers_only: true });
  for await (const msg of await consumer.consume()) {
    const k = key(msg.headers);
    counts.set(k, (counts.get(k) ?? 0) + 1);
    if (--left === 0) break;
  }
  return counts;
}

/** How many result events name each cause (ce-causeid); JetStream's de-duplication should make it one. */
export function resultsByCause(
  nc: NatsConnection,
  stream: string,
  prefix: string,
): Promise<Map<string, number>> {
  const subjects = Object.keys(RESULT_OF).map((name) => subjectOf(prefix, name as EventName));
  return countByHeaders(nc, stream, (h) => h?.get("ce-causeid") ?? "", subjects);
}

/** Distinct outcome records in the bucket: one per (event, function) when nothing is duplicated. */
export async function outcomeRecordCount(nc: NatsConnection, bucket: string): Promise<number> {
  const kv = await new Kvm(nc).open(bucket);
  const keys = new Set<string>();
  for await (const key of await kv.keys()) keys.add(key);
  // The bucket also holds, per result, which event it answers: those are not outcomes.
  const values = await Promise.all([...keys].map(async (key) => (await kv.get(key))?.json<unknown>()));
  return values.filter((value) => value !== undefined && !isResultOrigin(value)).length;
}

/** Kubernetes Events with reason Quarantined in a namespace, per pod uid. */
export async function quarantineEventsByPod(kc: KubeConfig, namespace: string): Promise<Map<string, number>> {
  const list = await kc.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace });
  const counts = new Map<string, number>();
  for (const e of list.items)
    if (e.reason === "Quarantined")
      counts.set(e.regarding?.uid ?? "", (counts.get(e.regarding?.uid ?? "") ?? 0) + 1);
  return counts;
}

/** TenantProvisioned Events per request id (the note names it), over the tenants' namespaces. */
export async function provisionEventsByRequest(
  kc: KubeConfig,
  namespaces: readonly string[],
): Promise<Map<string, number>> {
  const api = kc.makeApiClient(EventsV1Api);
  const counts = new Map<string, number>();
  for (const namespace of namespaces) {
    const list = await api.listNamespacedEvent({ namespace });
    for (const e of list.items) {
      const id = /\(request ([^)]+)\)/.exec(e.note ?? "")?.[1];
      if (e.reason === "TenantProvisioned" && id) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
  }
  return counts;
}

/** Namespaces labelled as each of the run's tenants. */
export async function namespacesByTenant(
  core: CoreV1Api,
  tenants: readonly string[],
): Promise<Map<string, number>> {
  const wanted = new Set(tenants);
  const list = await core.listNamespace({ labelSelector: TENANT_LABEL });
  const counts = new Map<string, number>();
  for (const ns of list.items) {
    const tenant = ns.metadata?.labels?.[TENANT_LABEL] ?? "";
    if (wanted.has(tenant)) counts.set(tenant, (counts.get(tenant) ?? 0) + 1);
  }
  return counts;
}
