// Times on the command line (`10m`, `30s`, an ISO date) and ages in tables (`3m`, `2h`).
import { usageError } from "./errors.ts";

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/** `30s`, `10m`, `2h`, `1d` in milliseconds; anything else is a usage error naming the option. */
export function parseDuration(text: string, option: string): number {
  const match = DURATION.exec(text.trim());
  if (!match)
    throw usageError(
      `${option} "${text}" is not a duration`,
      "use a number and a unit: 500ms, 30s, 10m, 2h or 1d",
    );
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** A point in time: a duration means that long before `now`, else an ISO 8601 date. */
export function parseInstant(text: string, option: string, now: Date = new Date()): Date {
  if (DURATION.test(text.trim())) return new Date(now.getTime() - parseDuration(text, option));
  const at = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(at.getTime()))
    throw usageError(
      `${option} "${text}" is neither a duration nor a date`,
      "use 10m, 2h, 1d or an ISO date such as 2025-01-31T12:00:00Z",
    );
  return at;
}

/** The largest whole unit: `45s`, `12m`, `3h`, `2d`. */
export function formatAge(fromMs: number, nowMs: number = Date.now()): string {
  const elapsed = Math.max(0, nowMs - fromMs);
  if (elapsed < UNIT_MS.m) return `${Math.floor(elapsed / UNIT_MS.s)}s`;
  if (elapsed < UNIT_MS.h) return `${Math.floor(elapsed / UNIT_MS.m)}m`;
  if (elapsed < UNIT_MS.d) return `${Math.floor(elapsed / UNIT_MS.h)}h`;
  return `${Math.floor(elapsed / UNIT_MS.d)}d`;
}
