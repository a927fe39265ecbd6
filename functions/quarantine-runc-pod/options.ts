// How quarantine acts: what it does after isolating, dry-run, which handlers are Kata, the rate limit, the claims.
import { envBool, envChoice, envInt } from "../../shared/env.ts";
import { kataRuntimeFromEnv, type KataRuntime } from "../../shared/kata.ts";
import { QuarantineClaims } from "./claims.ts";
import { tokenBucket, type RateLimiter } from "./rate-limit.ts";

export const ACTIONS = ["isolate", "evict", "delete"] as const;
export type Action = (typeof ACTIONS)[number];

export interface QuarantineOptions {
  action: Action;
  dryRun: boolean;
  /** A pod is safe only if its RuntimeClass's handler is one of these Kata handlers. */
  kata: KataRuntime;
  /** Evictions and deletions allowed (a storm isolates many pods, but does not empty a cluster). */
  limiter: RateLimiter;
  /** Who quarantines each pod; one book per function instance when not given. */
  claims?: QuarantineClaims;
}

export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): QuarantineOptions {
  const perMinute = envInt(env, "ICN_QUARANTINE_DESTRUCTIVE_PER_MINUTE", 30);
  return {
    action: envChoice(env, "ICN_QUARANTINE_ACTION", ACTIONS, "isolate"),
    dryRun: envBool(env, "ICN_QUARANTINE_DRY_RUN", false),
    kata: kataRuntimeFromEnv(env),
    limiter: tokenBucket(perMinute, Math.max(1, Math.ceil(perMinute / 6))),
    claims: new QuarantineClaims(),
  };
}
