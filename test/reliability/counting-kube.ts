// A Kube whose every API call is counted and timed, so a scenario can hold the functions to a request budget.
import type { Kube } from "../../shared/kube.ts";

export interface ApiCall {
  method: string;
  at: number;
}

/**
 * Counts the calls a handler makes on kube.core and kube.objects. The wrapped method runs on the
 * real client (not the proxy), so a client method calling another is one request, not two; the
 * client's own API discovery (once per kind) is not counted.
 */
export function countingKube(kube: Kube): { kube: Kube; calls: ApiCall[] } {
  const calls: ApiCall[] = [];
  const counted = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(obj, key, receiver): unknown {
        const value: unknown = Reflect.get(obj, key, receiver);
        if (typeof value !== "function" || typeof key !== "string") return value;
        return (...args: unknown[]): unknown => {
          calls.push({ method: key, at: Date.now() });
          return (value as (...a: unknown[]) => unknown).apply(obj, args);
        };
      },
    });
  return { kube: { ...kube, core: counted(kube.core), objects: counted(kube.objects) }, calls };
}

/** The most calls seen in any window of `windowMs` (a sliding window over the sorted times). */
export function maxInWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; j < sorted.length; j++) {
    while (sorted[j]! - sorted[i]! > windowMs) i++;
    best = Math.max(best, j - i + 1);
  }
  return best;
}

/**
 * Token-bucket bound: between any two actions, at most `burst` plus what the rate refilled in between.
 * `slack` absorbs the time between taking a token and the API call it pays for. Returns the worst excess.
 */
export function worstExcess(times: readonly number[], perMinute: number, burst: number, slack = 0): number {
  const sorted = [...times].sort((a, b) => a - b);
  let worst = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < sorted.length; i++)
    for (let j = i; j < sorted.length; j++) {
      const allowed = burst + ((sorted[j]! - sorted[i]!) / 60_000) * perMinute + slack;
      worst = Math.max(worst, j - i + 1 - allowed);
    }
  return worst;
}
