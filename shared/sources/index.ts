// The watchers, the platform's own event sources: run them in a host process with startWatchers or runWatchers.
import type { JetStreamClient } from "@nats-io/jetstream";
import type { RuntimeConfig } from "../config.ts";
import { envList, envString } from "../env.ts";
import { ensureStreams } from "../host/streams.ts";
import { kataRuntimeFromEnv } from "../kata.ts";
import { kataInstallDeadlineFromEnv } from "../kata-node.ts";
import type { Kube } from "../kube.ts";
import type { Logger } from "../logging.ts";
import { startNodeWatcher } from "./node-watcher.ts";
import { startPodWatcher } from "./pod-watcher.ts";
import type { ReporterStats } from "./reporter.ts";
import { ALL_TENANTS_SELECTOR } from "./unsafe-pod.ts";
import { WATCHER_NAMES, type RunningWatcher, type WatcherName, type WatcherOptions } from "./watcher.ts";

export { NODE_WATCHER } from "./node-watcher.ts";
export { POD_WATCHER } from "./pod-watcher.ts";
export { WATCHER_NAMES, type WatcherName, type WatcherOptions } from "./watcher.ts";

/**
 * ICN_WATCHERS (node-watcher,pod-watcher), the Kata runtime (ICN_KATA_RUNTIME_CLASSES, ICN_KATA_HANDLERS),
 * the Kata install deadline (ICN_KATA_INSTALL_DEADLINE_MS), and the selectors that narrow what is watched:
 * ICN_WATCH_NODE_SELECTOR, ICN_WATCH_NAMESPACE_SELECTOR.
 */
export function watcherOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): WatcherOptions {
  const names = envList(env, "ICN_WATCHERS");
  const unknown = names.filter((n) => !WATCHER_NAMES.includes(n as WatcherName));
  if (unknown.length)
    throw new Error(
      `ICN_WATCHERS: unknown watcher(s) ${unknown.join(", ")}; known: ${WATCHER_NAMES.join(", ")}`,
    );
  return {
    watchers: names.length ? (names as WatcherName[]) : WATCHER_NAMES,
    kata: kataRuntimeFromEnv(env),
    nodeSelector: envString(env, "ICN_WATCH_NODE_SELECTOR"),
    kataInstallDeadlineMs: kataInstallDeadlineFromEnv(env),
    namespaceSelector: envString(env, "ICN_WATCH_NAMESPACE_SELECTOR", ALL_TENANTS_SELECTOR),
  };
}

export interface WatchersDeps {
  kube: Kube;
  js: JetStreamClient;
  config: RuntimeConfig;
  log: Logger;
  /** Defaults to watcherOptionsFromEnv(). */
  options?: WatcherOptions;
}

export interface Watchers {
  /** Resolves once every watcher has checked its first list and published what it found. */
  synced: Promise<void>;
  /** Resolves when nothing found so far is still being published. */
  idle(): Promise<void>;
  stats(): Partial<Record<WatcherName, ReporterStats>>;
  /** Closes the watches and waits for publishes in flight (a pending retry is abandoned). */
  stop(): Promise<void>;
}

const STARTERS = { "node-watcher": startNodeWatcher, "pod-watcher": startPodWatcher } as const;

/** Starts the watchers; the events' stream is ensured first so the first finding has somewhere to go. */
export async function startWatchers(deps: WatchersDeps): Promise<Watchers> {
  const options = deps.options ?? watcherOptionsFromEnv();
  await ensureStreams(await deps.js.jetstreamManager(), deps.config);
  const stopping = new AbortController();
  const running: RunningWatcher[] = options.watchers.map((name) =>
    STARTERS[name]({
      kube: deps.kube,
      js: deps.js,
      prefix: deps.config.prefix,
      log: deps.log,
      signal: stopping.signal,
      options,
    }),
  );
  const all = (pick: (w: RunningWatcher) => Promise<unknown>): Promise<void> =>
    Promise.all(running.map(pick)).then(() => undefined);
  return {
    synced: all((w) => w.synced),
    idle: () => all((w) => w.idle()),
    stats: () => Object.fromEntries(running.map((w) => [w.name, w.stats()])),
    stop: async () => {
      stopping.abort();
      await all((w) => w.done);
    },
  };
}

/** Runs the watchers until `signal` aborts, then stops them; for hosts that own a signal rather than a handle. */
export async function runWatchers(deps: WatchersDeps & { signal: AbortSignal }): Promise<void> {
  const watchers = await startWatchers(deps);
  if (!deps.signal.aborted)
    await new Promise<void>((resolve) =>
      deps.signal.addEventListener("abort", () => resolve(), { once: true }),
    );
  await watchers.stop();
}
