// A resumable list+watch of one resource: resumes from the last resourceVersion, relists on 410 Gone, backs off on errors.
import type { KubernetesObject, Watch } from "@kubernetes/client-node";
import { sleep } from "./sleep.ts";

export type WatchPhase = "ADDED" | "MODIFIED" | "DELETED";

export interface ObjectList<T> {
  items: T[];
  metadata?: { resourceVersion?: string };
}

export interface ListWatchSpec<T extends KubernetesObject> {
  /** The collection's API path, e.g. `/api/v1/nodes`. */
  path: string;
  labelSelector?: string;
  list: () => Promise<ObjectList<T>>;
  watch: Pick<Watch, "watch">;
  /** Called synchronously when a (re)list came back, right before its items: a cache may start afresh. */
  onListed?: () => void;
  /** Called for every listed object (as ADDED) and every watch event, in order. */
  onEvent: (phase: WatchPhase, obj: T) => void;
  /** Called synchronously right after each (re)list has been handed to onEvent. */
  onSynced?: () => void;
  onError?: (err: unknown) => void;
  signal: AbortSignal;
  /** Delay before the n-th consecutive retry after an error. */
  backoffMs?: (failures: number) => number;
  /** A watch that ends sooner than this waits out the rest before the next one (default 1 s). */
  minWatchMs?: number;
}

export interface ListWatchHandle {
  /** Resolves once the first list has been handed to onEvent. */
  synced: Promise<void>;
  /** Resolves when the signal aborted and the watch is closed. */
  done: Promise<void>;
}

const MIN_WATCH_MS = 1000;
const defaultBackoff = (failures: number): number => Math.min(30_000, 500 * 2 ** (failures - 1));

/** 410 Gone: our resourceVersion is older than etcd's history, so only a fresh list is correct. */
export function isGone(err: unknown): boolean {
  const e = err as { statusCode?: number; code?: number } | undefined;
  return e?.statusCode === 410 || e?.code === 410;
}

/** The client's own inactivity timeout: a quiet watch, not a failure; resume at once. */
function isQuietTimeout(err: unknown): boolean {
  return (err as { name?: string } | undefined)?.name === "TimeoutError";
}

async function relist<T extends KubernetesObject>(spec: ListWatchSpec<T>): Promise<string> {
  const list = await spec.list();
  spec.onListed?.();
  for (const item of list.items) spec.onEvent("ADDED", item);
  spec.onSynced?.();
  return list.metadata?.resourceVersion ?? "";
}

interface WatchEnd {
  /** Where to resume: the last version seen, or "" when only a relist is correct (410 Gone). */
  resourceVersion: string;
  error?: unknown;
}

/** One watch request from `from`; ends when the server or the client closes it, or on an error. */
function watchOnce<T extends KubernetesObject>(spec: ListWatchSpec<T>, from: string): Promise<WatchEnd> {
  return new Promise((resolve) => {
    let resourceVersion = from;
    let controller: AbortController | undefined;
    const abort = (): void => controller?.abort();
    const onLine = (type: string, obj: T & { code?: number }): void => {
      if (resourceVersion === "") return; // gone: what follows a 410 is not to be trusted
      if (type === "ERROR") {
        if (obj.code === 410) resourceVersion = "";
        return;
      }
      resourceVersion = obj.metadata?.resourceVersion ?? resourceVersion;
      if (type !== "BOOKMARK") spec.onEvent(type as WatchPhase, obj);
    };
    const onDone = (err: unknown): void => {
      spec.signal.removeEventListener("abort", abort);
      const failed = err && !spec.signal.aborted && !isQuietTimeout(err);
      resolve({ resourceVersion: isGone(err) ? "" : resourceVersion, error: failed ? err : undefined });
    };
    spec.signal.addEventListener("abort", abort, { once: true });
    const query = { resourceVersion: from, allowWatchBookmarks: true, labelSelector: spec.labelSelector };
    spec.watch.watch(spec.path, query, onLine, onDone).then((c) => {
      controller = c;
      if (spec.signal.aborted) c.abort();
    }, onDone);
  });
}

async function run<T extends KubernetesObject>(spec: ListWatchSpec<T>, synced: () => void): Promise<void> {
  const backoff = spec.backoffMs ?? defaultBackoff;
  const minWatchMs = spec.minWatchMs ?? MIN_WATCH_MS;
  let resourceVersion = "";
  let failures = 0;
  while (!spec.signal.aborted) {
    const started = Date.now();
    let error: unknown;
    try {
      if (!resourceVersion) {
        resourceVersion = await relist(spec);
        synced();
      }
      ({ resourceVersion, error } = await watchOnce(spec, resourceVersion));
    } catch (err) {
      error = err;
    }
    if (spec.signal.aborted) break;
    if (error && !isGone(error)) {
      spec.onError?.(error);
      await sleep(backoff(++failures), spec.signal);
      continue;
    }
    failures = 0;
    // A server that closes every watch at once must not turn this loop into a busy one.
    if (Date.now() - started < minWatchMs) await sleep(minWatchMs, spec.signal);
  }
}

/** Lists, then watches from the list's resourceVersion until the signal aborts; never gives up on errors. */
export function listWatch<T extends KubernetesObject>(spec: ListWatchSpec<T>): ListWatchHandle {
  let markSynced = (): void => {};
  const synced = new Promise<void>((resolve) => (markSynced = resolve));
  return { synced, done: run(spec, markSynced) };
}
