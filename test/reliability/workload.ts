// The events a scenario publishes and the Kubernetes objects they act on: run-scoped tenants and unsafe pods.
import type { CoreV1Api, V1Pod } from "@kubernetes/client-node";
import type { JetStreamClient } from "@nats-io/jetstream";
import type { CloudEvent } from "cloudevents";
import { setTimeout as sleep } from "node:timers/promises";
import { aTenantRequested } from "../../schemas/fixtures.ts";
import { newEvent, publishEvent } from "../../shared/events.ts";

import { TENANT_LABEL } from "../../schemas/names.ts";

export { TENANT_LABEL };

/** One published event and the function whose outcome settles it. */
export interface Expected {
  event: CloudEvent<unknown>;
  fn: string;
}

export interface WorkloadSpec {
  /** Short and unique: it prefixes every tenant and namespace of the run. */
  run: string;
  tenants: number;
  requestsPerTenant: number;
  pods: number;
  eventsPerPod: number;
}

export interface Workload {
  tenants: string[];
  podNamespace: string;
  pods: V1Pod[];
  events: Expected[];
}

/** A namespace labelled as a tenant's, holding runc pods that were there before it was adopted. */
export async function unsafePods(core: CoreV1Api, namespace: string, count: number): Promise<V1Pod[]> {
  // Unlabelled first: once the tenant label is on, the cluster-wide Kata floor refuses runc pods.
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  const pods: V1Pod[] = [];
  for (let i = 0; i < count; i += 20) {
    const batch = Array.from({ length: Math.min(20, count - i) }, (_, j) =>
      core.createNamespacedPod({
        namespace,
        body: {
          metadata: { name: `legacy-${i + j}` },
          spec: { containers: [{ name: "c", image: "registry.example/legacy:1" }] },
        },
      }),
    );
    pods.push(...(await Promise.all(batch)));
  }
  const path = `/metadata/labels/${TENANT_LABEL.replace("/", "~1")}`;
  await core.patchNamespace({ name: namespace, body: [{ op: "add", path, value: namespace }] });
  return pods;
}

export function podUnsafe(pod: V1Pod, source: string): CloudEvent<unknown> {
  const { namespace = "", name = "", uid } = pod.metadata ?? {};
  return newEvent({
    name: "pod.unsafe",
    source,
    data: { namespace, pod: name, uid, reason: "runs under runc" },
  });
}

/** Tenant requests and pod reports interleaved, as a busy bus carries them. */
function interleave(a: Expected[], b: Expected[]): Expected[] {
  const out: Expected[] = [];
  const ratio = b.length / Math.max(1, a.length);
  let j = 0;
  a.forEach((item, i) => {
    out.push(item);
    for (const stop = Math.round((i + 1) * ratio); j < stop; j++) out.push(b[j]!);
  });
  return out.concat(b.slice(j));
}

export async function prepareWorkload(core: CoreV1Api, spec: WorkloadSpec): Promise<Workload> {
  const source = `urn:icn:reliability:${spec.run}`;
  const tenants = Array.from({ length: spec.tenants }, (_, i) => `${spec.run}-t${i}`);
  const podNamespace = `${spec.run}-pods`;
  const pods = await unsafePods(core, podNamespace, spec.pods);
  const requests: Expected[] = [];
  for (let r = 0; r < spec.requestsPerTenant; r++)
    for (const tenant of tenants)
      requests.push({
        event: newEvent({ name: "tenant.requested", source, data: aTenantRequested({ tenant }) }),
        fn: "provision-tenant",
      });
  const reports: Expected[] = [];
  for (let r = 0; r < spec.eventsPerPod; r++)
    for (const pod of pods) reports.push({ event: podUnsafe(pod, source), fn: "quarantine-runc-pod" });
  return { tenants, podNamespace, pods, events: interleave(requests, reports) };
}

export interface PublishStats {
  published: number;
  /** Publishes that failed (no stream leader, timeout) and were sent again with the same Nats-Msg-Id. */
  retried: number;
}

/** Publishes until JetStream acknowledges: a repeat carries the same Nats-Msg-Id, so it is stored once. */
async function publishOne(
  js: JetStreamClient,
  prefix: string,
  event: CloudEvent<unknown>,
  stats: PublishStats,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await publishEvent(js, prefix, event);
      stats.published++;
      return;
    } catch (err) {
      if (attempt >= 120) throw new Error(`could not publish ${event.id} in 120 attempts: ${String(err)}`);
      stats.retried++;
      await sleep(250);
    }
  }
}

/** Publishes in windows of `window` concurrent publishes, optionally paced to `perSecond`. */
export async function publishAll(
  js: JetStreamClient,
  prefix: string,
  events: readonly CloudEvent<unknown>[],
  options: { window?: number; perSecond?: number } = {},
): Promise<PublishStats> {
  const stats: PublishStats = { published: 0, retried: 0 };
  const window = options.window ?? 50;
  const started = Date.now();
  for (let i = 0; i < events.length; i += window) {
    await Promise.all(events.slice(i, i + window).map((e) => publishOne(js, prefix, e, stats)));
    if (options.perSecond) {
      const due = started + ((i + window) / options.perSecond) * 1000;
      if (due > Date.now()) await sleep(due - Date.now());
    }
  }
  return stats;
}
