// A token bucket for destructive actions: an event storm may isolate many pods, but evicts few.

export interface RateLimiter {
  tryTake(): boolean;
}

export function tokenBucket(perMinute: number, burst: number, now: () => number = Date.now): RateLimiter {
  let tokens = burst;
  let last = now();
  return {
    tryTake(): boolean {
      const t = now();
      tokens = Math.min(burst, tokens + ((t - last) / 60_000) * perMinute);
      last = t;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}
