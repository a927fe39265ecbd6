// How big each reliability scenario runs: short in `make test`, full in `make reliability` (ICN_RELIABILITY=full).

export type RunSize = "short" | "full";

export const RUN_SIZE: RunSize = process.env.ICN_RELIABILITY === "full" ? "full" : "short";

/** Picks the figure for this run's size. */
export function sized<T>(sizes: { short: T; full: T }): T {
  return sizes[RUN_SIZE];
}

/**
 * Jest timeout of one scenario. A short one takes under a minute on a quiet 2-core machine; the margin
 * is for `make test`, which runs two suites at a time against the same servers, on a machine that may be
 * shared (the 1,000-event storm needed over 150 s under a load average of 8): a guard against hanging,
 * not a speed claim.
 */
export const SCENARIO_TIMEOUT_MS: number = sized({ short: 300_000, full: 30 * 60_000 });

/** How long a scenario that started at `startedAt` may still wait for outcomes, leaving time to audit. */
export function settleTimeout(startedAt: number): number {
  return Math.max(10_000, startedAt + SCENARIO_TIMEOUT_MS - 30_000 - Date.now());
}
