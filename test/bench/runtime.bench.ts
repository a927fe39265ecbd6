// Host overhead against two baselines on the same messages, interleaved over rounds: the contract floor
// (a raw JetStream loop that stores an outcome-sized KV record before each ack, as the host must) and
// the bare consume-and-ack loop; then publish-to-handled latency at a steady 1,000 events/s.
import { jetstream } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { KubeConfig } from "@kubernetes/client-node";
import type { RuntimeConfig } from "../../shared/config.ts";
import { newEvent, publishEvent } from "../../shared/events.ts";
import { defineFunction } from "../../shared/function.ts";
import { startHost } from "../../shared/host/host.ts";
import { kubeFromConfig } from "../../shared/kube.ts";
import { createLogger } from "../../shared/logging.ts";
import { describe, interleave, median, perRound, spreadOf } from "./rounds.ts";
import { bareLoop, configFor, filled, floorLoop, hostLoop } from "./runtime-loops.ts";
import { percentile, platform, progress, removeBenchStreams, round, writeFigures } from "./support.ts";

const COUNT = Number(process.env.BENCH_EVENTS ?? 30_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const RATE = 1000;
const LATENCY_SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 10);

function kubeOf(kubeconfig: string): ReturnType<typeof kubeFromConfig> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  return kubeFromConfig(kc);
}

/** Publish at a steady rate; the handler measures publish-to-handled from the event's own time. */
async function latency(nc: NatsConnection, natsUrl: string, kubeconfig: string): Promise<number[]> {
  const config = configFor(natsUrl, "lat");
  const samples: number[] = [];
  const probe = defineFunction({
    name: "probe",
    on: "node.joined",
    emits: [],
    // The sender's clock reading rides in `uid`: event.time has only millisecond precision.
    handle: (event) => {
      samples.push(performance.timeOrigin + performance.now() - Number(event.data.uid));
      return Promise.resolve();
    },
  });
  const host = await startHost({
    functions: [probe],
    nc,
    kube: kubeOf(kubeconfig),
    config,
    log: createLogger("bench", "silent"),
  });
  const js = jetstream(nc);
  const total = RATE * LATENCY_SECONDS;
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const sentAt = String(performance.timeOrigin + performance.now());
    void publishEvent(
      js,
      config.prefix,
      newEvent({ name: "node.joined", source: "urn:bench", data: { node: `lat-${i}`, uid: sentAt } }),
    );
  }
  while (samples.length < total) await new Promise((r) => setTimeout(r, 50));
  await host.drain();
  return samples.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  const { natsUrl, kubeconfig } = await platform();
  const nc = await connect({ servers: natsUrl });
  const rss: number[] = [];
  progress(`${ROUNDS} rounds of floor, host, bare; each round a fresh stream of ${COUNT} messages`);
  let config: RuntimeConfig | undefined;
  const current = (): RuntimeConfig => {
    if (!config) throw new Error("no round prepared");
    return config;
  };
  const figures = await interleave(
    [
      { name: "floor", run: () => floorLoop(nc, current(), COUNT) },
      {
        name: "host",
        run: async () => {
          const hosted = await hostLoop(nc, current(), COUNT);
          rss.push(hosted.peakRssMb);
          return hosted.perSecond;
        },
      },
      { name: "bare", run: () => bareLoop(nc, current(), COUNT) },
    ],
    ROUNDS,
    "events/s",
    async () => void (config = await filled(nc, natsUrl, COUNT)),
  );
  await removeBenchStreams(nc);
  progress(`latency at ${RATE} events/s for ${LATENCY_SECONDS} s`);
  const samples = await latency(nc, natsUrl, kubeconfig);
  await removeBenchStreams(nc);
  await nc.close();
  report(figures, samples, rss);
}

function report(figures: Record<string, number[]>, samples: number[], rss: number[]): void {
  const floorRatios = perRound(figures, "host", "floor");
  const bareRatios = perRound(figures, "host", "bare");
  const floor = spreadOf(floorRatios);
  const written = {
    raw_per_s: round(median(figures.bare ?? [])),
    host_per_s: round(median(figures.host ?? [])),
    floor_per_s: round(median(figures.floor ?? [])),
    ratio: round(median(bareRatios), 3),
    floor_ratio: round(floor.median, 3),
    floor_ratio_min: round(floor.min, 3),
    floor_ratio_max: round(floor.max, 3),
    rounds: ROUNDS,
    p50_ms: round(percentile(samples, 50), 2),
    p99_ms: round(percentile(samples, 99), 2),
    // The worst round's: the target is a ceiling.
    peak_rss_mb: round(Math.max(...rss)),
  };
  const file = writeFigures("runtime.json", written);
  console.log(`medians of ${ROUNDS} interleaved rounds (min–max, spread = (max − min) / median)`);
  console.log(describe("contract floor (raw + record)", figures.floor ?? [], "events/s"));
  console.log(describe("host, no-op function", figures.host ?? [], "events/s"));
  console.log(describe("bare consume-and-ack loop", figures.bare ?? [], "events/s"));
  console.log(describe("host / floor (target >= 0.8)", floorRatios, "", 3));
  console.log(describe("host / bare (no target)", bareRatios, "", 3));
  console.log(
    `latency @${RATE}/s      p50 ${written.p50_ms} ms   p99 ${written.p99_ms} ms (target p99 <= 25 ms)`,
  );
  console.log(
    `peak RSS             ${written.peak_rss_mb} MB (the host process, worst round; target <= 150 MB)`,
  );
  console.log(`figures written to ${file}`);
}

await main();
process.exit(0);
