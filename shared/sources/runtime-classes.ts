// The cluster's RuntimeClasses, kept current by one watch: the pod watcher judges each pod's class by its handler
// without a request per pod, and hears when a Kata class stops being one (deleted, or recreated with another handler).
import { NodeV1Api, Watch, type V1RuntimeClass } from "@kubernetes/client-node";
import { isKataHandler, type KataRuntime } from "../kata.ts";
import { listWatch, type ListWatchHandle, type WatchPhase } from "./list-watch.ts";
import type { RuntimeClasses } from "./unsafe-pod.ts";
import type { WatcherDeps } from "./watcher.ts";

export class RuntimeClassIndex {
  readonly #classes = new Map<string, V1RuntimeClass>();
  readonly #kata: KataRuntime;
  /** Called when a class that was Kata no longer is, once the first list is in. */
  readonly #onKataLost: () => void;
  #kataNames = new Set<string>();
  #listing = false;
  #synced = false;

  constructor(kata: KataRuntime, onKataLost: () => void) {
    this.#kata = kata;
    this.#onKataLost = onKataLost;
  }

  get classes(): RuntimeClasses {
    return this.#classes;
  }

  /** A (re)list replaces what we knew: a class deleted while the watch was down must not linger. */
  onListed = (): void => {
    this.#classes.clear();
    this.#listing = true;
  };

  onEvent = (phase: WatchPhase, runtimeClass: V1RuntimeClass): void => {
    const name = runtimeClass.metadata?.name ?? "";
    if (phase === "DELETED") this.#classes.delete(name);
    else this.#classes.set(name, runtimeClass);
    if (!this.#listing) this.#compare();
  };

  onSynced = (): void => {
    this.#listing = false;
    this.#compare();
  };

  #compare(): void {
    const now = new Set(
      [...this.#classes].filter(([, rc]) => isKataHandler(rc.handler, this.#kata)).map(([name]) => name),
    );
    const lost = [...this.#kataNames].some((name) => !now.has(name));
    this.#kataNames = now;
    if (lost && this.#synced) this.#onKataLost();
    this.#synced = true;
  }
}

export function watchRuntimeClasses(deps: WatcherDeps, index: RuntimeClassIndex): ListWatchHandle {
  const api = deps.kube.config.makeApiClient(NodeV1Api);
  return listWatch<V1RuntimeClass>({
    path: "/apis/node.k8s.io/v1/runtimeclasses",
    list: () => api.listRuntimeClass(),
    watch: new Watch(deps.kube.config),
    onListed: index.onListed,
    onEvent: index.onEvent,
    onSynced: index.onSynced,
    onError: (err) => deps.log.warn({ err }, "runtime class watch failed; retrying"),
    signal: deps.signal,
  });
}
