// The node watcher's second watch: nodes label-kata-node tainted until Kata is installed. node.kata-ready when
// kata-deploy labels one ready; node.kata-overdue when the deadline passes first (a timer: time makes no watch event).
import { Watch, type V1Node } from "@kubernetes/client-node";
import type { EventName } from "../../schemas/events.ts";
import { KATA_LABEL, KATA_TAINTED_AT_ANNOTATION } from "../../schemas/names.ts";
import { kataInstall, overdueAt } from "../kata-node.ts";
import { listWatch, type ListWatchHandle, type WatchPhase } from "./list-watch.ts";
import type { Reporter } from "./reporter.ts";
import type { WatcherDeps } from "./watcher.ts";

/** Only nodes label-kata-node found capable can carry the taint: the apiserver filters the rest out. */
export function readinessSelector(extra?: string): string {
  return [`${KATA_LABEL}=enabled`, extra].filter(Boolean).join(",");
}

export type Readiness =
  | { hint: Extract<EventName, "node.kata-ready" | "node.kata-overdue"> }
  /** Still installing: look again at this time (ms since the epoch). */
  | { recheckAt: number }
  /** Nothing awaited: not tainted, or tainted at a time nobody recorded. */
  | undefined;

/** What a node calls for now. The annotation is the clock, so a restarted watcher reaches the same answer. */
export function readiness(node: V1Node, deadlineMs: number, now: number): Readiness {
  const install = kataInstall(node);
  if (!install.tainted) return undefined;
  if (install.ready) return { hint: "node.kata-ready" };
  const due = overdueAt(install, deadlineMs);
  if (due === undefined) return undefined;
  return now >= due ? { hint: "node.kata-overdue" } : { recheckAt: due };
}

/** A hint is news once per node, kind and taint: a node tainted again later is news again. */
export function hintKey(node: V1Node, hint: EventName): string {
  const { uid = "", annotations } = node.metadata ?? {};
  return `${uid}/${hint}/${annotations?.[KATA_TAINTED_AT_ANNOTATION] ?? ""}`;
}

// setTimeout fires at once for delays past 2^31 - 1 ms; a longer wait is taken in steps.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Where hints go: the node watcher's reporter, which publishes each once. */
export type HintReporter = Pick<Reporter, "report" | "forget">;

export class KataReadiness {
  readonly #reporter: HintReporter;
  readonly #deadlineMs: number;
  readonly #signal: AbortSignal;
  readonly #timers = new Map<string, NodeJS.Timeout>();

  constructor(reporter: HintReporter, deadlineMs: number, signal: AbortSignal) {
    this.#reporter = reporter;
    this.#deadlineMs = deadlineMs;
    this.#signal = signal;
    signal.addEventListener("abort", () => this.#clearAll(), { once: true });
  }

  /** A (re)list replaces what we knew: a node deleted while the watch was down must leave no timer. */
  onListed = (): void => this.#clearAll();

  onEvent = (phase: WatchPhase, node: V1Node): void => {
    if (phase !== "DELETED") return this.check(node);
    this.#clear(node.metadata?.uid ?? "");
    // Gone, or no longer labelled enabled: if it comes back tainted, it is news again.
    for (const hint of ["node.kata-ready", "node.kata-overdue"] as const)
      this.#reporter.forget(hintKey(node, hint));
  };

  /** Judges the node as last seen; its timer, if any, is replaced. */
  check(node: V1Node): void {
    const { name, uid = "", deletionTimestamp } = node.metadata ?? {};
    this.#clear(uid);
    if (!name || !uid || deletionTimestamp || this.#signal.aborted) return;
    const next = readiness(node, this.#deadlineMs, Date.now());
    if (next && "hint" in next)
      this.#reporter.report(hintKey(node, next.hint), next.hint, { node: name, uid });
    else if (next) {
      const delay = Math.min(Math.max(0, next.recheckAt - Date.now()), MAX_TIMER_MS);
      this.#timers.set(
        uid,
        setTimeout(() => this.check(node), delay),
      );
    }
  }

  /** Nodes with a deadline still ahead. */
  get waiting(): number {
    return this.#timers.size;
  }

  #clear(uid: string): void {
    clearTimeout(this.#timers.get(uid));
    this.#timers.delete(uid);
  }

  #clearAll(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }
}

export function watchKataReadiness(deps: WatcherDeps, readiness: KataReadiness): ListWatchHandle {
  const labelSelector = readinessSelector(deps.options.nodeSelector);
  deps.log.info(
    { labelSelector, deadlineMs: deps.options.kataInstallDeadlineMs },
    "watching tainted nodes for Kata readiness",
  );
  return listWatch<V1Node>({
    path: "/api/v1/nodes",
    labelSelector,
    list: () => deps.kube.core.listNode({ labelSelector }),
    watch: new Watch(deps.kube.config),
    onListed: readiness.onListed,
    onEvent: readiness.onEvent,
    onError: (err) => deps.log.warn({ err }, "Kata readiness watch failed; retrying"),
    signal: deps.signal,
  });
}
