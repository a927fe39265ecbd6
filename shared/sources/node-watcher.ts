// The node watcher: every node that has no Kata decision yet is announced as node.joined, and the nodes tainted
// until Kata is installed as node.kata-ready or node.kata-overdue (kata-readiness.ts).
import { Watch, type V1Node } from "@kubernetes/client-node";
import type { EventData } from "../../schemas/events.ts";
import { KATA_LABEL } from "../../schemas/names.ts";
import { KataReadiness, watchKataReadiness } from "./kata-readiness.ts";
import { listWatch, type WatchPhase } from "./list-watch.ts";
import { Reporter } from "./reporter.ts";
import type { RunningWatcher, WatcherDeps } from "./watcher.ts";

export const NODE_WATCHER = { name: "node-watcher", source: "urn:icn-secure-tenancy/node-watcher" } as const;

/** Only nodes label-kata-node has not decided on; the apiserver filters, so labelled nodes cost nothing. */
export function nodeSelector(extra?: string): string {
  return [`!${KATA_LABEL}`, extra].filter(Boolean).join(",");
}

/** The node.joined data for a node that still needs a Kata decision, else undefined. */
export function joinedNode(node: V1Node): EventData<"node.joined"> | undefined {
  const { name, uid, labels, deletionTimestamp } = node.metadata ?? {};
  if (!name || !uid || deletionTimestamp) return undefined;
  if (labels?.[KATA_LABEL] !== undefined) return undefined;
  return { node: name, uid };
}

export function startNodeWatcher(input: WatcherDeps): RunningWatcher {
  const deps = { ...input, log: input.log.child({ watcher: NODE_WATCHER.name }) };
  const { log } = deps;
  const reporter = new Reporter({
    js: deps.js,
    prefix: deps.prefix,
    detector: NODE_WATCHER.name,
    source: NODE_WATCHER.source,
    log,
    signal: deps.signal,
  });
  const labelSelector = nodeSelector(deps.options.nodeSelector);
  const onEvent = (phase: WatchPhase, node: V1Node): void => {
    const uid = node.metadata?.uid ?? "";
    // Deleted, or labelled (it left the selector): a node that comes back is news again.
    if (phase === "DELETED") return reporter.forget(uid);
    const data = joinedNode(node);
    if (data) reporter.report(uid, "node.joined", data);
  };
  const joined = listWatch<V1Node>({
    path: "/api/v1/nodes",
    labelSelector,
    list: () => deps.kube.core.listNode({ labelSelector }),
    watch: new Watch(deps.kube.config),
    onEvent,
    onError: (err) => log.warn({ err }, "node watch failed; retrying"),
    signal: deps.signal,
  });
  log.info({ labelSelector }, "watching nodes");
  const kata = new KataReadiness(reporter, deps.options.kataInstallDeadlineMs, deps.signal);
  const readiness = watchKataReadiness(deps, kata);
  const both = (pick: (w: typeof joined) => Promise<void>): Promise<void> =>
    Promise.all([pick(joined), pick(readiness)]).then(() => reporter.idle());
  return {
    name: NODE_WATCHER.name,
    synced: both((w) => w.synced),
    done: both((w) => w.done),
    idle: () => reporter.idle(),
    stats: () => reporter.stats(),
  };
}
