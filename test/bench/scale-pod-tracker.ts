// The pods of one run as a watch sees them: where each is bound, its phase and class, and the scheduler's word on
// why it waits. One list+watch instead of polling ten thousand pods.
import { Watch, type V1Pod } from "@kubernetes/client-node";
import type { Kube } from "../../shared/kube.ts";
import { listWatch, type ListWatchHandle } from "../../shared/sources/list-watch.ts";
import { ticker } from "./scale-results.ts";

export interface TrackedPod {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  node?: string;
  phase?: string;
  runtimeClass?: string;
  /** The scheduler's message while it cannot place the pod ("0/N nodes are available: …"). */
  unschedulable?: string;
}

/** The scheduler's message while it cannot place the pod, else undefined. */
function unschedulable(pod: V1Pod): string | undefined {
  const scheduled = pod.status?.conditions?.find((c) => c.type === "PodScheduled");
  return scheduled?.status === "False" && scheduled.reason === "Unschedulable"
    ? scheduled.message
    : undefined;
}

function tracked(pod: V1Pod): TrackedPod {
  const { namespace = "", name = "", labels = {} } = pod.metadata ?? {};
  return {
    namespace,
    name,
    labels,
    node: pod.spec?.nodeName,
    phase: pod.status?.phase,
    runtimeClass: pod.spec?.runtimeClassName,
    unschedulable: unschedulable(pod),
  };
}

/** How many nodes the scheduler weighed when it last turned the pod down. */
export function nodesWeighed(pod: TrackedPod): number {
  return Number(/^0\/(\d+) nodes/.exec(pod.unschedulable ?? "")?.[1] ?? -1);
}

export class PodTracker {
  readonly pods = new Map<string, TrackedPod>();
  readonly #stop = new AbortController();
  readonly #watch: ListWatchHandle;

  constructor(kube: Kube, labelSelector: string) {
    this.#watch = listWatch<V1Pod>({
      path: "/api/v1/pods",
      labelSelector,
      list: () => kube.core.listPodForAllNamespaces({ labelSelector }),
      watch: new Watch(kube.config),
      onListed: () => this.pods.clear(),
      onEvent: (phase, pod) => {
        const key = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
        if (phase === "DELETED") this.pods.delete(key);
        else this.pods.set(key, tracked(pod));
      },
      signal: this.#stop.signal,
    });
  }

  get synced(): Promise<void> {
    return this.#watch.synced;
  }

  count(where: (pod: TrackedPod) => boolean): number {
    let n = 0;
    for (const pod of this.pods.values()) if (where(pod)) n++;
    return n;
  }

  /** Resolves once `done` holds; `say` reports every 10 s; the error says where things stood. */
  async until(what: string, done: () => boolean, say: () => string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const tick = ticker();
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`${what}: not done after ${timeoutMs} ms (${say()})`);
      tick(() => `${what}: ${say()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#watch.done;
  }
}
