// Shared pieces of the benchmarks: the platform, percentiles, and where the figures are written.
import { mkdirSync, readFileSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { up } from "../../deploy/local/platform.ts";
import { stateDir } from "../../deploy/local/paths.ts";
import { namesFor, type RetryPolicy, type RuntimeConfig } from "../../shared/config.ts";

export async function platform(): Promise<{ kubeconfig: string; natsUrl: string }> {
  const p = await up((m) => process.stderr.write(`[platform] ${m}\n`));
  process.env.KUBECONFIG = p.kubeconfig;
  process.env.NATS_URL = p.natsUrl;
  return p;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? NaN;
}

export const round = (n: number, digits = 1): number => Number(n.toFixed(digits));

/** Merges figures into .icn/bench/<file>.json, so several benchmarks can share one file. */
export function writeFigures(file: string, figures: Record<string, number>): string {
  const dir = join(stateDir(), "bench");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, file);
  const previous = existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as Record<string, number>) : {};
  writeFileSync(path, JSON.stringify({ ...previous, ...figures }, null, 2) + "\n");
  return path;
}

/** The V8 flags the image starts every process with (its ENTRYPOINT), so a benchmark host runs as shipped. */
export function shippedNodeFlags(): string[] {
  const dockerfile = readFileSync(join(import.meta.dirname, "../../Dockerfile"), "utf8");
  const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)?.[1];
  if (!entrypoint) throw new Error("the Dockerfile has no ENTRYPOINT [...] line to read the node flags from");
  return (JSON.parse(entrypoint) as string[]).filter((arg) => arg.startsWith("--"));
}

export function progress(message: string): void {
  process.stderr.write(`» ${message}\n`);
}

/** A runtime config with a prefix of its own, so every benchmark measures fresh streams. */
export function benchConfig(natsUrl: string, tag: string, retry: RetryPolicy): RuntimeConfig {
  const prefix = `bench${tag}${Date.now().toString(36)}`;
  return {
    natsUrl,
    prefix,
    ...namesFor(prefix),
    duplicateWindowMs: 120_000,
    maxPayloadBytes: 256 * 1024,
    ackWaitMs: 30_000,
    retry,
    httpPort: 0,
    source: "urn:bench",
  };
}
