// "Nodes needed", found as a cluster autoscaler finds it: each group of nodes starts at its arithmetic lower bound,
// kube-scheduler places the pods, and a group gets more nodes for the pods it could not place, until all are bound.
import type { V1Taint } from "@kubernetes/client-node";
import { KATA_LABEL, KATA_RUNTIME_LABEL } from "../../schemas/names.ts";
import { CPU_FEATURES, createNode } from "../harness/nodes.ts";
import { pool } from "./bus-timing.ts";
import {
  demand,
  NODE_SHAPE,
  nodesAtLeast,
  POD_TENANT_LABEL,
  type PodShape,
  sliceOf,
  slices,
  type ScaleContext,
} from "./scale-plan.ts";
import { nodesWeighed, PodTracker, type TrackedPod } from "./scale-pod-tracker.ts";
import { eventually } from "../harness/servers.ts";
import { removeNodes } from "./scale-cleanup.ts";
import { aPod } from "./scale-pods.ts";
import { ticker } from "./scale-results.ts";
import { progress } from "./support.ts";

/** Nodes and pods of one placement run (`<run>-shared`, `<run>-dedicated`). */
export const PLACEMENT_LABEL = "icn-bench/placement";
/** The nodes a pod may use: the shared pool's, or its tenant's own. */
export const GROUP_LABEL = "icn-bench/group";

export interface PlannedPod {
  name: string;
  tenant: string;
  group: string;
  shape: PodShape;
}

export interface Placement {
  /** Nodes that hold at least one pod, per group. */
  used: Map<string, number>;
  /** Rounds of adding nodes after the first (0: the lower bound was enough everywhere). */
  rounds: number;
}

const IN_FLIGHT = 32;
const taintOf = (tag: string): V1Taint => ({ key: PLACEMENT_LABEL, value: tag, effect: "NoSchedule" });

/** Kata-ready nodes (kata-deploy's label already there): this phase measures placement, not readiness. */
async function addNodes(
  ctx: ScaleContext,
  tag: string,
  wanted: Map<string, number>,
  made: Map<string, number>,
): Promise<void> {
  const names = [...wanted].flatMap(([group, count]) => {
    const from = made.get(group) ?? 0;
    made.set(group, from + count);
    return Array.from({ length: count }, (_, k) => ({ group, name: `${group}-${from + k}` }));
  });
  await pool([...names.entries()], IN_FLIGHT, async ([index, { group, name }]) => {
    const labels = {
      [PLACEMENT_LABEL]: tag,
      [GROUP_LABEL]: group,
      [KATA_LABEL]: "enabled",
      [KATA_RUNTIME_LABEL]: "true",
      ...sliceOf(index),
    };
    const shape = { name, capacity: { ...NODE_SHAPE }, cpuFeatures: [CPU_FEATURES.intelVmx], labels };
    await createNode(ctx.kube.core, { ...shape, taints: [taintOf(tag)] });
  });
}

/** Nodes that could hold each group's pods by arithmetic, at least one for a group with any. */
function boundsOf(pods: PlannedPod[], overhead: PodShape): Map<string, number> {
  const shapes = new Map<string, PodShape[]>();
  for (const pod of pods) shapes.set(pod.group, [...(shapes.get(pod.group) ?? []), pod.shape]);
  return new Map([...shapes].map(([group, s]) => [group, Math.max(1, nodesAtLeast(demand(s, overhead)))]));
}

async function clusterNodes(ctx: ScaleContext): Promise<number> {
  const list = await ctx.kube.core.listNode({ limit: 1 });
  return list.items.length + (list.metadata?.remainingItemCount ?? 0);
}

async function createPods(ctx: ScaleContext, run: PlacementRun, pods: PlannedPod[]): Promise<void> {
  const tick = ticker();
  let created = 0;
  await pool([...pods.entries()], IN_FLIGHT, async ([i, p]) => {
    const labels = {
      [PLACEMENT_LABEL]: run.tag,
      [GROUP_LABEL]: p.group,
      [POD_TENANT_LABEL]: p.tenant,
      ...sliceOf(i),
    };
    const body = aPod({
      name: p.name,
      labels,
      nodeSelector: { [GROUP_LABEL]: p.group },
      taint: taintOf(run.tag),
      shape: p.shape,
      runtimeClassName: run.runtimeClass,
    });
    await ctx.kube.core.createNamespacedPod({ namespace: run.namespace, body });
    created++;
    tick(() => `${run.tag}: ${created}/${pods.length} pods created`);
  });
}

export interface PlacementRun {
  /** `<run>-shared` or `<run>-dedicated`: on every node and pod of the placement. */
  tag: string;
  namespace: string;
  runtimeClass: string;
  overhead: PodShape;
}

export async function placeAll(ctx: ScaleContext, run: PlacementRun, pods: PlannedPod[]): Promise<Placement> {
  const { tag, namespace } = run;
  const tracker = new PodTracker(ctx.kube, `${PLACEMENT_LABEL}=${tag}`);
  const made = new Map<string, number>();
  const key = (p: { name: string }): string => `${namespace}/${p.name}`;
  try {
    await tracker.synced;
    await addNodes(ctx, tag, boundsOf(pods, run.overhead), made);
    progress(
      `${tag}: ${[...made.values()].reduce((a, b) => a + b, 0)} nodes (the lower bound); creating ${pods.length} pods`,
    );
    await createPods(ctx, run, pods);
    for (let round = 0; ; round++) {
      // Settled: every pod bound, or turned down by the scheduler after it saw every node there is now.
      const nodes = await clusterNodes(ctx);
      const settled = (p?: TrackedPod): boolean =>
        p !== undefined && (p.node !== undefined || nodesWeighed(p) >= nodes);
      const bound = (): number => tracker.count((p) => p.node !== undefined);
      await tracker.until(
        `${tag}`,
        () => pods.every((p) => settled(tracker.pods.get(key(p)))),
        () => `${bound()}/${pods.length} bound`,
        900_000,
      );
      const pending = pods.filter((p) => tracker.pods.get(key(p))?.node === undefined);
      if (pending.length === 0) {
        const placement = { used: usedNodes(tracker), rounds: round };
        await removeAll(ctx, tag, namespace);
        return placement;
      }
      const more = boundsOf(pending, run.overhead);
      progress(
        `${tag}: ${pending.length} pods did not fit; ${[...more.values()].reduce((a, b) => a + b, 0)} more nodes for ${more.size} groups`,
      );
      await addNodes(ctx, tag, more, made);
    }
  } catch (err) {
    await removeAll(ctx, tag, namespace).catch((e: unknown) =>
      progress(`${tag}: cleanup failed: ${String(e)}`),
    );
    throw err;
  } finally {
    await tracker.stop();
  }
}

function usedNodes(tracker: PodTracker): Map<string, number> {
  const nodes = new Map<string, Set<string>>();
  for (const pod of tracker.pods.values()) {
    const group = pod.labels[GROUP_LABEL] ?? "";
    if (pod.node) nodes.set(group, (nodes.get(group) ?? new Set()).add(pod.node));
  }
  return new Map([...nodes].map(([group, set]) => [group, set.size]));
}

/** The run's pods (gone from the API at once: no kubelet needs to finish them), then its nodes. */
async function removeAll(ctx: ScaleContext, tag: string, namespace: string): Promise<void> {
  const selector = `${PLACEMENT_LABEL}=${tag}`;
  await pool(slices(selector), 4, (labelSelector) =>
    eventually(async () => {
      await ctx.kube.core.deleteCollectionNamespacedPod({ namespace, labelSelector, gracePeriodSeconds: 0 });
    }, 300_000),
  );
  await removeNodes(ctx, selector);
}
