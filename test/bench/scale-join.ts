// Join: nodes register as a cloud's would; the node watcher announces each (node.joined), label-kata-node labels
// it and taints the capable ones; then kata-deploy (played here) labels those ready and untaint-kata-node lifts the taint.
import type { V1Node } from "@kubernetes/client-node";
import { KATA_LABEL, KATA_RUNTIME_LABEL } from "../../schemas/names.ts";
import { kataInstall } from "../../shared/kata-node.ts";
import { createNode } from "../harness/nodes.ts";
import { pool } from "./bus-timing.ts";
import {
  cpuFeaturesOf,
  NODE_SHAPE,
  POOL_LABEL,
  poolTaint,
  sliceOf,
  type ScaleContext,
} from "./scale-plan.ts";
import { byNode, ResultLog, stepFigures } from "./scale-results.ts";
import { progress } from "./support.ts";

export interface JoinResult {
  figures: Record<string, number>;
  capable: string[];
  /** Capable nodes that were not tainted once labelled (must be none). */
  untaintedWhileInstalling: string[];
  /** Nodes not as they should end: capable ones enabled, ready and untainted, the others unsupported (must be none). */
  wrong: string[];
}

const IN_FLIGHT = 16;
const READY_PATH = `/metadata/labels/${KATA_RUNTIME_LABEL.replace("/", "~1")}`;

export async function poolNodes(ctx: ScaleContext): Promise<V1Node[]> {
  return (await ctx.kube.core.listNode({ labelSelector: `${POOL_LABEL}=${ctx.run}` })).items;
}

/** What is wrong with a node once kata-deploy is done, or undefined. */
function wrongAtEnd(node: V1Node, capable: boolean): string | undefined {
  const label = node.metadata?.labels?.[KATA_LABEL];
  const install = kataInstall(node);
  const fine = capable
    ? label === "enabled" && install.ready && !install.tainted
    : label === "unsupported" && !install.tainted;
  return fine ? undefined : `${node.metadata?.name} (${label}, tainted ${install.tainted})`;
}

export async function joinNodes(ctx: ScaleContext, count: number): Promise<JoinResult> {
  const names = Array.from({ length: count }, (_, i) => `${ctx.run}-n${i}`);
  const capable = names.filter((_, i) => cpuFeaturesOf(i).length > 0);
  const isCapable = new Set(capable);
  const joined = new ResultLog(ctx.nc, ctx.prefix, ["node.kata-enabled", "node.kata-unsupported"], byNode);
  const schedulable = new ResultLog(ctx.nc, ctx.prefix, ["node.kata-schedulable"], byNode);
  const timeoutMs = 120_000 + count * 1000;
  try {
    progress(
      `join: ${count} nodes register (${capable.length} with VMX or SVM); the node watcher announces each`,
    );
    const createdAt = new Map<string, number>();
    const started = performance.now();
    await pool([...names.entries()], IN_FLIGHT, async ([i, name]) => {
      createdAt.set(name, performance.now());
      const labels = { [POOL_LABEL]: ctx.run, ...sliceOf(i) };
      const shape = { name, capacity: { ...NODE_SHAPE }, cpuFeatures: cpuFeaturesOf(i), labels };
      await createNode(ctx.kube.core, { ...shape, taints: [poolTaint(ctx.run)] });
    });
    progress(`join: ${count} nodes registered; waiting for label-kata-node`);
    await joined.waitFor("join: nodes labelled", names, timeoutMs);
    const joinSeconds = (joined.lastAt(names) - started) / 1000;
    const untaintedWhileInstalling = (await poolNodes(ctx))
      .filter((n) => isCapable.has(n.metadata?.name ?? "") && !kataInstall(n).tainted)
      .map((n) => n.metadata?.name ?? "");
    progress(
      `join: ${count} nodes labelled in ${joinSeconds.toFixed(1)} s; kata-deploy labels ${capable.length} ready`,
    );

    const labelledAt = new Map<string, number>();
    const readyStarted = performance.now();
    await pool(capable, IN_FLIGHT, async (name) => {
      labelledAt.set(name, performance.now());
      await ctx.kube.core.patchNode({ name, body: [{ op: "add", path: READY_PATH, value: "true" }] });
    });
    await schedulable.waitFor("kata-deploy: nodes untainted", capable, timeoutMs);
    const readySeconds = (schedulable.lastAt(capable) - readyStarted) / 1000;
    const wrong = (await poolNodes(ctx))
      .map((n) => wrongAtEnd(n, isCapable.has(n.metadata?.name ?? "")))
      .filter((w): w is string => w !== undefined);
    progress(`join: ${capable.length} nodes Kata-ready and untainted in ${readySeconds.toFixed(1)} s`);
    return {
      figures: {
        nodes: count,
        capable_nodes: capable.length,
        ...stepFigures(
          { things: "nodes_join", thing: "node_join" },
          count,
          joinSeconds,
          joined.latencies(createdAt),
        ),
        ...stepFigures(
          { things: "nodes_ready", thing: "node_ready" },
          capable.length,
          readySeconds,
          schedulable.latencies(labelledAt),
        ),
      },
      capable,
      untaintedWhileInstalling,
      wrong,
    };
  } finally {
    joined.close();
    schedulable.close();
  }
}
