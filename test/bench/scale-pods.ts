// Pods: each tenant's admin creates its pods with no runtime class; the apiserver defaults them to the tenant's Kata
// class, kube-scheduler places them, KWOK runs them. Then where they landed: never where Kata is not ready.
import { CoreV1Api, type V1Pod, type V1Taint } from "@kubernetes/client-node";
import { KATA_RUNTIME_LABEL } from "../../schemas/names.ts";
import { kataRuntimeFromEnv } from "../../shared/kata.ts";
import { eventually, impersonating } from "../harness/servers.ts";
import { pool } from "./bus-timing.ts";
import {
  admissionMeans,
  admissionTimes,
  apiserverCpuSeconds,
  describeMeans,
  policyAdmissionMs,
  scrape,
} from "./scale-apiserver.ts";
import { poolNodes } from "./scale-join.ts";
import {
  POD_TENANT_LABEL,
  POOL_LABEL,
  poolTaint,
  tolerating,
  WORKLOAD_LABEL,
  type PodShape,
  type ScaleContext,
  type TenantWorkload,
} from "./scale-plan.ts";
import { PodTracker, type TrackedPod } from "./scale-pod-tracker.ts";
import { ticker } from "./scale-results.ts";
import { progress, round } from "./support.ts";

export interface PodsResult {
  figures: Record<string, number>;
  /** Pods admitted outside the Kata classes, and pods on nodes Kata is not ready on (both must be none). */
  outsideKata: string[];
  onUnreadyNodes: string[];
  running: number;
}

const IN_FLIGHT = 32;

export const resourcesOf = (shape: PodShape): Record<string, string> => ({
  cpu: `${shape.cpuMilli}m`,
  memory: `${shape.memoryMi}Mi`,
});

export interface PodSpec {
  name: string;
  labels: Record<string, string>;
  nodeSelector: Record<string, string>;
  taint: V1Taint;
  shape: PodShape;
  runtimeClassName?: string;
}

/** A one-container pod asking for `shape`, allowed only onto the nodes selected, which only it tolerates. */
export function aPod(spec: PodSpec): V1Pod {
  const resources = { requests: resourcesOf(spec.shape), limits: resourcesOf(spec.shape) };
  return {
    metadata: { name: spec.name, labels: spec.labels },
    spec: {
      runtimeClassName: spec.runtimeClassName,
      nodeSelector: spec.nodeSelector,
      tolerations: [tolerating(spec.taint)],
      containers: [{ name: "app", image: "registry.example/app:1", resources }],
    },
  };
}

/** As a tenant writes it: no runtime class; only the run's nodes. */
const tenantPod = (run: string, tenant: string, index: number, shape: PodShape): V1Pod =>
  aPod({
    name: `p${index}`,
    labels: { [WORKLOAD_LABEL]: run, [POD_TENANT_LABEL]: tenant },
    nodeSelector: { [POOL_LABEL]: run },
    taint: poolTaint(run),
    shape,
  });

/** Tenant by tenant in turn, so every tenant's pods are being created all along. */
export function roundRobin(tenants: TenantWorkload[]): { tenant: TenantWorkload; index: number }[] {
  const most = Math.max(...tenants.map((t) => t.pods.length));
  const order: { tenant: TenantWorkload; index: number }[] = [];
  for (let index = 0; index < most; index++)
    for (const tenant of tenants) if (index < tenant.pods.length) order.push({ tenant, index });
  return order;
}

/** Where the pods ran: on which nodes, how many of those hold several tenants, and what breaks the rules. */
async function placement(ctx: ScaleContext, pods: TrackedPod[]): Promise<Omit<PodsResult, "running">> {
  const ready = new Set(
    (await poolNodes(ctx))
      .filter((n) => n.metadata?.labels?.[KATA_RUNTIME_LABEL] === "true")
      .map((n) => n.metadata?.name),
  );
  const kata = new Set(kataRuntimeFromEnv({}).classes);
  const tenantsOn = new Map<string, Set<string>>();
  for (const pod of pods) {
    if (!pod.node) continue;
    const tenants = tenantsOn.get(pod.node) ?? new Set<string>();
    tenantsOn.set(pod.node, tenants.add(pod.labels[POD_TENANT_LABEL] ?? ""));
  }
  const name = (p: TrackedPod): string =>
    `${p.namespace}/${p.name} (${p.runtimeClass ?? "no class"} on ${p.node})`;
  const outsideKata = pods.filter((p) => !kata.has(p.runtimeClass ?? "")).map(name);
  const onUnreadyNodes = pods.filter((p) => p.node && !ready.has(p.node)).map(name);
  const shared = [...tenantsOn.values()].filter((t) => t.size > 1).length;
  return {
    figures: {
      pods_on_unready_nodes: onUnreadyNodes.length,
      pods_outside_kata: outsideKata.length,
      pod_nodes_used: tenantsOn.size,
      nodes_with_several_tenants: shared,
      most_tenants_on_a_node: Math.max(0, ...[...tenantsOn.values()].map((t) => t.size)),
    },
    outsideKata,
    onUnreadyNodes,
  };
}

/** Creates every tenant's pods as its admin and waits until all run; `onCreated` hears each creation. */
export async function createTenantPods(
  ctx: ScaleContext,
  tenants: TenantWorkload[],
  onCreated: (created: number, total: number) => void = () => {},
): Promise<PodsResult> {
  const tracker = new PodTracker(ctx.kube, `${WORKLOAD_LABEL}=${ctx.run}`);
  const clients = new Map<string, CoreV1Api>();
  const asAdmin = (t: TenantWorkload): CoreV1Api => {
    const client = clients.get(t.admin) ?? impersonating(ctx.kube.config, t.admin).makeApiClient(CoreV1Api);
    clients.set(t.admin, client);
    return client;
  };
  const order = roundRobin(tenants);
  const running = (p: TrackedPod): boolean => p.phase === "Running";
  const say = (): string =>
    `${tracker.count((p) => p.node !== undefined)} scheduled, ${tracker.count(running)} running of ${order.length}`;
  try {
    await tracker.synced;
    progress(
      `pods: ${order.length} pods of ${tenants.length} tenants, created as their admins, ${IN_FLIGHT} at a time`,
    );
    const before = await scrape(ctx.kube.config);
    const started = performance.now();
    const tick = ticker();
    let created = 0;
    await pool(order, IN_FLIGHT, async ({ tenant, index }) => {
      const body = tenantPod(ctx.run, tenant.name, index, tenant.pods[index] as PodShape);
      // A 429 or a 5xx from a loaded apiserver is tried again; a refusal would fail every try, and then the run.
      await eventually(() => asAdmin(tenant).createNamespacedPod({ namespace: tenant.name, body }), 60_000);
      onCreated(++created, order.length);
      tick(() => `pods: ${created}/${order.length} created, ${say()}`);
    });
    const after = await scrape(ctx.kube.config);
    const admission = admissionMeans(admissionTimes(before), admissionTimes(after));
    const cpuMs = ((apiserverCpuSeconds(after) - apiserverCpuSeconds(before)) * 1000) / order.length;
    progress(
      `pods: ${order.length} created in ${((performance.now() - started) / 1000).toFixed(1)} s; waiting until all run. ` +
        `Apiserver CPU ${cpuMs.toFixed(0)} ms a pod; admission per create: ${describeMeans(admission)}`,
    );
    await tracker.until(
      "pods",
      () => tracker.count(running) >= order.length,
      say,
      300_000 + order.length * 100,
    );
    const seconds = (performance.now() - started) / 1000;
    const result = await placement(ctx, [...tracker.pods.values()]);
    progress(`pods: ${order.length} running in ${seconds.toFixed(1)} s (${say()})`);
    return {
      ...result,
      figures: {
        pods: order.length,
        pods_per_s: round(order.length / seconds, 2),
        pod_apiserver_cpu_ms: round(cpuMs, 1),
        pod_admission_ms: round(
          admission.reduce((sum, [, ms]) => sum + ms, 0),
          1,
        ),
        pod_quota_admission_ms: round(
          admission.find(([key]) => key.startsWith("ResourceQuota"))?.[1] ?? 0,
          1,
        ),
        pod_policy_admission_ms: round(policyAdmissionMs(admission), 1),
        ...result.figures,
      },
      running: tracker.count(running),
    };
  } finally {
    await tracker.stop();
  }
}
