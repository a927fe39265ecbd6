// Bearer-token authentication and what an authenticated source may publish or read.
import { timingSafeEqual } from "node:crypto";
import type { IngressSource } from "./sources.ts";
import { tokenDigest } from "./sources.ts";

export type Authentication =
  { ok: true; source: IngressSource } | { ok: false; reason: "missing" | "invalid" };

const BEARER = /^Bearer ([\x21-\x7e]+)$/i;

/**
 * Digests are compared, not tokens, so the comparison takes the same time whatever the token's length;
 * every source is checked, so the time does not tell which source came close either.
 */
export function authenticate(header: string | undefined, sources: readonly IngressSource[]): Authentication {
  if (!header) return { ok: false, reason: "missing" };
  const token = BEARER.exec(header.trim())?.[1];
  if (!token) return { ok: false, reason: "invalid" };
  const presented = tokenDigest(token);
  let found: IngressSource | undefined;
  for (const source of sources) {
    if (timingSafeEqual(presented, source.tokenDigest) && !found) found = source;
  }
  return found ? { ok: true, source: found } : { ok: false, reason: "invalid" };
}

/**
 * Equal to the pattern, or below it: `https://jira.example.com` owns `https://jira.example.com/browse/OPS-1`
 * and `…:x`, but not `https://jira.example.com.evil.org`. A pattern ending in `/` or `:` owns what follows.
 */
export function sourceBelongsTo(eventSource: string, pattern: string): boolean {
  if (eventSource === pattern) return true;
  if (/[/:]$/.test(pattern)) return eventSource.startsWith(pattern);
  return eventSource.startsWith(`${pattern}/`) || eventSource.startsWith(`${pattern}:`);
}

export function mayUseSource(source: IngressSource, eventSource: string): boolean {
  return sourceBelongsTo(eventSource, source.sourcePattern);
}
