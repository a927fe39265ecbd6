// Producer clocks: an event `time` beyond the allowed skew is refused (a far-future time would outrank every later request).
import { envInt } from "./env.ts";

export const DEFAULT_MAX_CLOCK_SKEW_MS = 5 * 60_000;

export function maxClockSkewFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  return envInt(env, "ICN_MAX_CLOCK_SKEW_MS", DEFAULT_MAX_CLOCK_SKEW_MS);
}

/** Why an event time is refused (beyond now + skew), or undefined when it is acceptable or absent. */
export function futureTimeReason(
  time: string | undefined,
  maxSkewMs: number,
  now = Date.now(),
): string | undefined {
  if (!time) return undefined;
  const at = Date.parse(time);
  if (Number.isNaN(at) || at <= now + maxSkewMs) return undefined;
  return `event time ${time} is ${Math.round((at - now) / 1000)} s ahead of this clock; at most ${Math.round(maxSkewMs / 1000)} s of clock skew is allowed: fix the producer's clock or leave time unset`;
}
