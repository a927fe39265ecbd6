// Host overhead: a raw JetStream consume-and-ack loop vs a no-op function through the host, same stream
// shape and message; then publish-to-handled latency at a steady 1,000 events/s and the peak RSS.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { KubeConfig } from "@kubernetes/client-node";
import type { RuntimeConfig } from "../../shared/config.ts";
import { newEvent, publishEvent } from "../../shared/events.ts";
import { defineFunction } from "../../shared/function.ts";
import { startHost } from "../../shared/host/host.ts";
import { ensureStreams } from "../../shared/host/streams.ts";
import { kubeFromConfig } from "../../shared/kube.ts";
import { createLogger } from "../../shared/logging.ts";
import { imageNodeFlags } from "../harness/image.ts";
import {
  benchConfig,
  percentile,
  platform,
  progress,
  removeBenchStreams,
  round,
  writeFigures,
} from "./support.ts";

const COUNT = Number(process.env.BENCH_EVENTS ?? 50_000);
const RATE = 1000;
const LATENCY_SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 10);

const configFor = (natsUrl: string, tag: string): RuntimeConfig =>
  benchConfig(natsUrl, tag, { attempts: 3, backoffMs: [100] });

async function fill(js: JetStreamClient, config: RuntimeConfig, count: number): Promise<void> {
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) {
    pending.push(
      publishEvent(
        js,
        config.prefix,
        newEvent({ name: "node.joined", source: "urn:bench", data: { node: `node-${i}` } }),
      ),
    );
    if (pending.length >= 500) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
}

/** (a) The baseline: what JetStream alone costs to deliver and ack these messages. */
async function rawThroughput(nc: NatsConnection, natsUrl: string): Promise<number> {
  const config = configFor(natsUrl, "raw");
  const jsm = await jetstreamManager(nc);
  await ensureStreams(jsm, config);
  await fill(jetstream(nc), config, COUNT);
  await jsm.consumers.add(config.eventsStream, {
    durable_name: "raw",
    ack_policy: "explicit",
    filter_subject: `${config.prefix}.node.joined`,
  });
  const consumer = await jetstream(nc).consumers.get(config.eventsStream, "raw");
  const started = performance.now();
  let seen = 0;
  const messages = await consumer.consume({ max_messages: 16 });
  for await (const msg of messages) {
    msg.ack();
    if (++seen === COUNT) break;
  }
  const elapsed = (performance.now() - started) / 1000;
  await messages.close();
  return COUNT / elapsed;
}

/** (b) The same messages through a host process running a no-op function; also its peak RSS. */
async function hostThroughput(
  nc: NatsConnection,
  natsUrl: string,
): Promise<{ perSecond: number; peakRssMb: number }> {
  const config = configFor(natsUrl, "host");
  const jsm = await jetstreamManager(nc);
  await ensureStreams(jsm, config);
  await fill(jetstream(nc), config, COUNT);
  const host = spawn(process.execPath, [...imageNodeFlags(), join(import.meta.dirname, "noop-host.js")], {
    env: {
      ...process.env,
      NATS_URL: natsUrl,
      ICN_SUBJECT_PREFIX: config.prefix,
      ICN_HTTP_PORT: "0",
      ICN_LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    // Timed from the host's "ready" (its consumer has just started), as the raw loop is timed from
    // its consumer existing: process start and module loading are not part of the throughput.
    await new Promise<void>((resolve, reject) => {
      host.stdout.on("data", (chunk: Buffer) =>
        chunk.toString().includes('"host ready"') ? resolve() : undefined,
      );
      host.once("exit", (code) => reject(new Error(`the host exited (${code}) before it was ready`)));
    });
    const started = performance.now();
    await waitUntilDrained(jsm, config.eventsStream, "noop");
    const perSecond = COUNT / ((performance.now() - started) / 1000);
    return { perSecond, peakRssMb: peakRssMb(host.pid ?? 0) };
  } finally {
    host.kill("SIGTERM");
  }
}

/** Every message acknowledged: nothing pending, nothing in flight. */
async function waitUntilDrained(jsm: JetStreamManager, stream: string, consumer: string): Promise<void> {
  for (;;) {
    const info = await jsm.consumers.info(stream, consumer).catch(() => undefined);
    if (info && info.num_pending === 0 && info.num_ack_pending === 0 && info.delivered.stream_seq >= COUNT)
      return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The kernel's high-water mark of the process's resident memory. */
function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

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
  progress(`raw JetStream consume-and-ack loop, ${COUNT} messages`);
  const raw = await rawThroughput(nc, natsUrl);
  progress(`no-op function through the host, ${COUNT} messages`);
  const hosted = await hostThroughput(nc, natsUrl);
  progress(`latency at ${RATE} events/s for ${LATENCY_SECONDS} s`);
  const samples = await latency(nc, natsUrl, kubeconfig);
  await removeBenchStreams(nc);
  await nc.close();
  const figures = {
    raw_per_s: round(raw),
    host_per_s: round(hosted.perSecond),
    ratio: round(hosted.perSecond / raw, 3),
    p50_ms: round(percentile(samples, 50), 2),
    p99_ms: round(percentile(samples, 99), 2),
    peak_rss_mb: round(hosted.peakRssMb),
  };
  const file = writeFigures("runtime.json", figures);
  console.log(`raw JetStream loop   ${figures.raw_per_s.toFixed(0).padStart(8)} events/s`);
  console.log(
    `host, no-op function ${figures.host_per_s.toFixed(0).padStart(8)} events/s   ratio ${figures.ratio} (target >= 0.7)`,
  );
  console.log(
    `latency @${RATE}/s      p50 ${figures.p50_ms} ms   p99 ${figures.p99_ms} ms (target p99 <= 25 ms)`,
  );
  console.log(`peak RSS             ${figures.peak_rss_mb} MB (the host process; target <= 150 MB)`);
  console.log(`figures written to ${file}`);
}

await main();
process.exit(0);
