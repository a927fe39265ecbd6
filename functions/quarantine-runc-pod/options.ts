// How quarantine acts: what it does after isolating, dry-run, which classes are Kata, the rate limit.
import { tokenBucket, type RateLimiter } from "./rate-limit.ts";

export const ACTIONS = ["isolate", "evict", "delete"] as const;
export type Action = (typeof ACTIONS)[number];

export interface QuarantineOptions {
  action: Action;
  dryRun: boolean;
  kataClasses: readonly string[];
  /** Evictions and deletions allowed (a storm isolates many pods, but does not empty a cluster). */
  limiter: RateLimiter;
}

export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): QuarantineOptions {
  const action = (env.ICN_QUARANTINE_ACTION ?? "isolate") as Action;
  if (!ACTIONS.includes(action))
    throw new Error(`ICN_QUARANTINE_ACTION must be one of ${ACTIONS.join(", ")}, got "${action}"`);
  const perMinute = Number(env.ICN_QUARANTINE_DESTRUCTIVE_PER_MINUTE ?? 30);
  if (!(perMinute >= 0))
    throw new Error(
      `ICN_QUARANTINE_DESTRUCTIVE_PER_MINUTE must be a number, got "${env.ICN_QUARANTINE_DESTRUCTIVE_PER_MINUTE}"`,
    );
  return {
    action,
    dryRun: env.ICN_QUARANTINE_DRY_RUN === "true",
    kataClasses: (env.ICN_KATA_RUNTIME_CLASSES ?? "kata-qemu,kata-clh").split(","),
    limiter: tokenBucket(perMinute, Math.max(1, Math.ceil(perMinute / 6))),
  };
}
