// What the scale benchmark runs: its sizes (BENCH_SCALE shrinks them), the run's names, the node shape and the
// tenants' workload. Everything it creates carries the run's id, so a shared platform is not disturbed.
import { NodeV1Api, type V1Taint, type V1Toleration } from "@kubernetes/client-node";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Kube } from "../../shared/kube.ts";
import { CPU_FEATURES, type CpuFeature } from "../harness/nodes.ts";

export interface ScaleSizes {
  nodes: number;
  tenants: number;
  /** Tenant pods in all (the workload's tenant sizes are scaled to it, so the total is close, not exact). */
  pods: number;
  /** pod.unsafe events published while the pods are created. */
  quarantine: number;
  /** The workload placed shared and then dedicated: its own size, since it needs no tenant provisioned. */
  sharing: { tenants: number; pods: number };
}

const FULL = { nodes: 1000, tenants: 1000, pods: 10_000, quarantine: 100 };

/**
 * BENCH_SCALE multiplies every size (0.05 for a quick run); BENCH_NODES, BENCH_TENANTS, BENCH_PODS set one
 * alone; BENCH_SHARING_SCALE sizes the shared-vs-dedicated workload apart (BENCH_SCALE by default).
 */
export function sizesFromEnv(env: NodeJS.ProcessEnv = process.env): ScaleSizes {
  const scale = Number(env.BENCH_SCALE ?? 1);
  const sharing = Number(env.BENCH_SHARING_SCALE ?? scale);
  const scaled = (full: number, by: number): number => Math.max(4, Math.round(full * by));
  const size = (name: string, full: number): number => Number(env[name] ?? scaled(full, scale));
  return {
    nodes: size("BENCH_NODES", FULL.nodes),
    tenants: size("BENCH_TENANTS", FULL.tenants),
    pods: size("BENCH_PODS", FULL.pods),
    quarantine: size("BENCH_QUARANTINE", FULL.quarantine),
    sharing: { tenants: scaled(FULL.tenants, sharing), pods: scaled(FULL.pods, sharing) },
  };
}

/** What every phase gets: the admin's clients, the bus, the prefix the host listens on, the run's id. */
export interface ScaleContext {
  kube: Kube;
  nc: NatsConnection;
  prefix: string;
  /** Short and unique; it starts every node, tenant and namespace name of the run. */
  run: string;
}

export const runId = (): string => `s${Date.now().toString(36)}`;

/** The joined nodes of one run: the node watcher is narrowed to them, and only the run's pods tolerate them. */
export const POOL_LABEL = "icn-bench/pool";
/** The tenant pods of one run. */
export const WORKLOAD_LABEL = "icn-bench/workload";
export const POD_TENANT_LABEL = "icn-bench/tenant";

/**
 * Which of SLICES slices an object of the run is in: removing ten thousand pods or a thousand nodes in one
 * delete-collection outlasts the apiserver's request timeout on a loaded machine, a slice does not.
 */
export const SLICE_LABEL = "icn-bench/slice";
const SLICES = 50;
export const sliceOf = (i: number): Record<string, string> => ({ [SLICE_LABEL]: String(i % SLICES) });

/** One selector per slice of what `selector` selects. */
export const slices = (selector: string): string[] =>
  Array.from({ length: SLICES }, (_, i) => `${selector},${SLICE_LABEL}=${i}`);

export const poolTaint = (run: string): V1Taint => ({ key: POOL_LABEL, value: run, effect: "NoSchedule" });
export const tolerating = (taint: V1Taint): V1Toleration => ({ ...taint, operator: "Equal" });

/** A common cloud shape (16 vCPU, 64 GiB, the kubelet's 110 pods), the same for every node of the run. */
export const NODE_SHAPE = { cpu: "16", memory: "64Gi", pods: "110" } as const;
export const NODE_ROOM: Resources = { cpuMilli: 16_000, memoryMi: 64 * 1024, pods: 110 };

/** Three of four nodes can run Kata (VMX or SVM, as NFD labels them); the fourth has neither flag. */
export function cpuFeaturesOf(i: number): CpuFeature[] {
  return [[CPU_FEATURES.intelVmx], [CPU_FEATURES.amdSvm], [CPU_FEATURES.intelVmx], []][i % 4] ?? [];
}

export interface Resources {
  cpuMilli: number;
  memoryMi: number;
  pods: number;
}

/** A pod's containers' requests (limits are the same); the Kata class adds its overhead on top. */
export interface PodShape {
  cpuMilli: number;
  memoryMi: number;
}

/** The LimitRange's default request (a plain manifest), a medium and a large service, in turn. */
const POD_SHAPES: PodShape[] = [
  { cpuMilli: 100, memoryMi: 128 },
  { cpuMilli: 250, memoryMi: 256 },
  { cpuMilli: 500, memoryMi: 512 },
];

export interface TenantWorkload {
  name: string;
  admin: string;
  pods: PodShape[];
}

/**
 * Tenants of three sizes, as a shared platform sees them: of every 20, one large (64 pods), five medium (16)
 * and fourteen small (4) — ten pods a tenant on average; scaled so the total is close to `pods`.
 */
export function workload(run: string, sizes: Pick<ScaleSizes, "tenants" | "pods">): TenantWorkload[] {
  const factor = sizes.pods / (10 * sizes.tenants);
  return Array.from({ length: sizes.tenants }, (_, i) => {
    const base = i % 20 === 0 ? 64 : i % 20 <= 5 ? 16 : 4;
    const count = Math.max(1, Math.round(base * factor));
    const name = `${run}-t${i}`;
    return {
      name,
      admin: `admin-${name}`,
      pods: Array.from({ length: count }, (_, j) => POD_SHAPES[j % POD_SHAPES.length] as PodShape),
    };
  });
}

/** What the pods take on a node: their requests plus the Kata class's overhead each. */
export function demand(pods: readonly PodShape[], overhead: PodShape): Resources {
  return pods.reduce<Resources>(
    (sum, pod) => ({
      cpuMilli: sum.cpuMilli + pod.cpuMilli + overhead.cpuMilli,
      memoryMi: sum.memoryMi + pod.memoryMi + overhead.memoryMi,
      pods: sum.pods + 1,
    }),
    { cpuMilli: 0, memoryMi: 0, pods: 0 },
  );
}

/** The fewest nodes that could hold `need` by arithmetic alone: no scheduler places pods better than this. */
export function nodesAtLeast(need: Resources, room: Resources = NODE_ROOM): number {
  return Math.max(
    Math.ceil(need.cpuMilli / room.cpuMilli),
    Math.ceil(need.memoryMi / room.memoryMi),
    Math.ceil(need.pods / room.pods),
  );
}

/** A tenant's quota: its pods with their overhead, and a little room. */
export function quotaFor(
  tenant: TenantWorkload,
  overhead: PodShape,
): { cpu: string; memory: string; pods: number } {
  const need = demand(tenant.pods, overhead);
  return {
    cpu: String(Math.ceil(need.cpuMilli / 1000) + 1),
    memory: `${Math.ceil(need.memoryMi / 1024) + 1}Gi`,
    pods: need.pods + 2,
  };
}

/** `250m` or `2` (CPU), `160Mi`, `1Gi` or bytes (memory): enough of Kubernetes' quantities for RuntimeClass overheads. */
export function parseQuantity(value: string | undefined, unit: "milli" | "Mi"): number {
  const match = /^(\d+(?:\.\d+)?)([a-zA-Z]*)$/.exec(value ?? "0");
  const n = Number(match?.[1] ?? 0);
  const suffix = match?.[2] ?? "";
  if (unit === "milli") return suffix === "m" ? n : n * 1000;
  const mi: Record<string, number> = {
    "": 1 / 2 ** 20,
    Ki: 1 / 1024,
    Mi: 1,
    Gi: 1024,
    M: 1e6 / 2 ** 20,
    G: 1e9 / 2 ** 20,
  };
  return n * (mi[suffix] ?? NaN);
}

/** The class tenants get by default, and what the apiserver adds to each of its pods (its RuntimeClass's overhead). */
export async function kataClass(
  kube: Kube,
  name = "kata-qemu",
): Promise<{ runtimeClass: string; overhead: PodShape }> {
  const rc = await kube.config.makeApiClient(NodeV1Api).readRuntimeClass({ name });
  const fixed = rc.overhead?.podFixed ?? {};
  return {
    runtimeClass: name,
    overhead: { cpuMilli: parseQuantity(fixed.cpu, "milli"), memoryMi: parseQuantity(fixed.memory, "Mi") },
  };
}
