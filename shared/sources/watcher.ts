// What every watcher gets (its dependencies, passed in) and what it hands back to whoever runs it.
import type { JetStreamClient } from "@nats-io/jetstream";
import type { KataRuntime } from "../kata.ts";
import type { Kube } from "../kube.ts";
import type { Logger } from "../logging.ts";
import type { ReporterStats } from "./reporter.ts";

export const WATCHER_NAMES = ["node-watcher", "pod-watcher"] as const;
export type WatcherName = (typeof WATCHER_NAMES)[number];

export interface WatcherOptions {
  /** Which watchers to run (both by default). */
  watchers: readonly WatcherName[];
  /** A pod's class is Kata only if its RuntimeClass's handler is one of these handlers. */
  kata: KataRuntime;
  /**
   * Narrows the node watcher to matching nodes (one demo's, one test's); it always adds `!icn.akraino.org/kata`
   * for node.joined, and `icn.akraino.org/kata=enabled` for Kata readiness.
   */
  nodeSelector?: string;
  /** How long a tainted node may wait for kata-deploy before node.kata-overdue (ICN_KATA_INSTALL_DEADLINE_MS). */
  kataInstallDeadlineMs: number;
  /** Which namespaces are tenants' (default: every namespace with the tenant label). */
  namespaceSelector: string;
}

export interface WatcherDeps {
  kube: Kube;
  js: JetStreamClient;
  /** Events go to `<prefix>.<event name>`. */
  prefix: string;
  log: Logger;
  signal: AbortSignal;
  options: WatcherOptions;
}

export interface RunningWatcher {
  name: WatcherName;
  /** Resolves once the first list was checked and what it found is on the bus. */
  synced: Promise<void>;
  /** Resolves when the signal aborted, the watches closed and pending publishes ended. */
  done: Promise<void>;
  /** Resolves when nothing this watcher found is still being published. */
  idle(): Promise<void>;
  stats(): ReporterStats;
}
