// Shared pieces of the benchmarks: the platform, percentiles, and where the figures are written.
import { mkdirSync, readFileSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { up } from "../../deploy/local/platform.ts";
import { stateDir } from "../../deploy/local/paths.ts";
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
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

export function progress(message: string): void {
  process.stderr.write(`» ${message}\n`);
}

const created: RuntimeConfig[] = [];

/** Deletes the streams and buckets of every benchConfig, so runs do not pile up in the platform's NATS. */
export async function removeBenchStreams(nc: NatsConnection): Promise<void> {
  const jsm = await jetstreamManager(nc);
  for (const config of created.splice(0)) {
    for (const stream of [config.eventsStream, config.deadLetterStream, `KV_${config.outcomesBucket}`]) {
      await jsm.streams.delete(stream).catch(() => false); // never made (a phase failed early)
    }
  }
}

/** A runtime config with a prefix of its own, so every benchmark measures fresh streams. */
export function benchConfig(natsUrl: string, tag: string, retry: RetryPolicy): RuntimeConfig {
  const prefix = `bench${tag}${Date.now().toString(36)}`;
  const config: RuntimeConfig = {
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
  created.push(config);
  return config;
}
