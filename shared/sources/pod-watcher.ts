// The pod watcher: pods of tenant namespaces whose RuntimeClass's handler is not Kata are reported as pod.unsafe,
// including pods that were already running when their namespace became a tenant's.
import { Watch, type V1Namespace, type V1Pod, type V1PodList } from "@kubernetes/client-node";
import { listWatch, type ListWatchHandle, type WatchPhase } from "./list-watch.ts";
import { Reporter } from "./reporter.ts";
import { RuntimeClassIndex, watchRuntimeClasses } from "./runtime-classes.ts";
import { sleep } from "./sleep.ts";
import { isTenantNamespace, POD_DETECTOR, unsafePod } from "./unsafe-pod.ts";
import type { RunningWatcher, WatcherDeps } from "./watcher.ts";

export const POD_WATCHER = { name: POD_DETECTOR, source: "urn:icn-secure-tenancy/pod-watcher" } as const;

const SCAN_ATTEMPTS = 5;

class PodWatcher {
  readonly tenants = new Set<string>();
  readonly scans = new Set<Promise<void>>();
  readonly reporter: Reporter;
  readonly runtimeClasses: RuntimeClassIndex;
  /** Until the first pod list is in, that list covers every tenant namespace; afterwards a new one is scanned. */
  podsListed = false;
  readonly #deps: WatcherDeps;

  constructor(deps: WatcherDeps) {
    this.#deps = deps;
    const { js, prefix, log, signal } = deps;
    this.reporter = new Reporter({
      js,
      prefix,
      detector: POD_WATCHER.name,
      source: POD_WATCHER.source,
      log,
      signal,
    });
    // Pods already judged Kata are judged again when their class stops being Kata; the reporter
    // keeps pods it already reported from being sent twice.
    this.runtimeClasses = new RuntimeClassIndex(deps.options.kata, () => {
      if (this.podsListed) this.#track(this.scan(() => deps.kube.core.listPodForAllNamespaces()));
    });
  }

  check(pod: V1Pod): void {
    if (!this.tenants.has(pod.metadata?.namespace ?? "")) return;
    const data = unsafePod(pod, this.runtimeClasses.classes, this.#deps.options.kata);
    if (data) this.reporter.report(data.uid ?? "", "pod.unsafe", data);
  }

  onPod = (phase: WatchPhase, pod: V1Pod): void => {
    if (phase === "DELETED") this.reporter.forget(pod.metadata?.uid ?? "");
    else this.check(pod);
  };

  // The label selector makes the apiserver send ADDED when a namespace gains the tenant label and
  // DELETED when it loses it, so membership follows the events alone.
  onNamespace = (phase: WatchPhase, namespace: V1Namespace): void => {
    const name = namespace.metadata?.name ?? "";
    if (phase === "DELETED" || !isTenantNamespace(namespace)) {
      this.tenants.delete(name);
      return;
    }
    if (this.tenants.has(name)) return;
    this.tenants.add(name);
    // Its pods may be quiet for months: no pod event would ever bring them up, so look now.
    if (this.podsListed)
      this.#track(this.scan(() => this.#deps.kube.core.listNamespacedPod({ namespace: name })));
  };

  async scan(list: () => Promise<V1PodList>): Promise<void> {
    for (let attempt = 1; !this.#deps.signal.aborted; attempt++) {
      try {
        for (const pod of (await list()).items) this.check(pod);
        return;
      } catch (err) {
        if (attempt >= SCAN_ATTEMPTS)
          return this.#deps.log.error({ err }, "cannot list pods to judge them again");
        await sleep(500 * attempt, this.#deps.signal);
      }
    }
  }

  async idle(): Promise<void> {
    while (this.scans.size) await Promise.all([...this.scans]);
    await this.reporter.idle();
  }

  #track(scan: Promise<void>): void {
    const tracked = scan.finally(() => this.scans.delete(tracked));
    this.scans.add(tracked);
  }
}

function watchPods(deps: WatcherDeps, watcher: PodWatcher): ListWatchHandle {
  return listWatch<V1Pod>({
    path: "/api/v1/pods",
    list: () => deps.kube.core.listPodForAllNamespaces(),
    watch: new Watch(deps.kube.config),
    onEvent: watcher.onPod,
    onSynced: () => (watcher.podsListed = true),
    onError: (err) => deps.log.warn({ err }, "pod watch failed; retrying"),
    signal: deps.signal,
  });
}

export function startPodWatcher(input: WatcherDeps): RunningWatcher {
  const deps = { ...input, log: input.log.child({ watcher: POD_WATCHER.name }) };
  const watcher = new PodWatcher(deps);
  const labelSelector = deps.options.namespaceSelector;
  const classes = watchRuntimeClasses(deps, watcher.runtimeClasses);
  const namespaces = listWatch<V1Namespace>({
    path: "/api/v1/namespaces",
    labelSelector,
    list: () => deps.kube.core.listNamespace({ labelSelector }),
    watch: new Watch(deps.kube.config),
    onEvent: watcher.onNamespace,
    onError: (err) => deps.log.warn({ err }, "namespace watch failed; retrying"),
    signal: deps.signal,
  });
  // Pods are judged by their namespace and class, so both are known before the first pod is.
  const ready = Promise.all([namespaces.synced, classes.synced]).then(() => true);
  const stopped = Promise.race([namespaces.done, classes.done]).then(() => false);
  const pods = Promise.race([ready, stopped]).then((go) => (go ? watchPods(deps, watcher) : undefined));
  deps.log.info({ namespaceSelector: labelSelector }, "watching pods of tenant namespaces");
  return {
    name: POD_WATCHER.name,
    synced: pods.then((p) => p?.synced).then(() => watcher.idle()),
    done: Promise.all([namespaces.done, classes.done, pods.then((p) => p?.done)]).then(() => watcher.idle()),
    idle: () => watcher.idle(),
    stats: () => watcher.reporter.stats(),
  };
}
