// The bus's cost beside the apiserver work: tenants through provision-tenant vs the same objects applied
// directly with client-node (tenant-loops.ts); then pod.unsafe → pod labelled and isolated, p50/p99; then tenants
// retired through retire-tenant vs the same deletes done directly (retire-loops.ts).
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { newEvent } from "../../shared/events.ts";
import { startHost } from "../../shared/host/host.ts";
import { ensureStreams } from "../../shared/host/streams.ts";
import { apply } from "../../shared/kube-apply.ts";
import { kubeFromConfig, type Kube } from "../../shared/kube.ts";
import { createLogger } from "../../shared/logging.ts";
import { quarantineRuncPod } from "../../functions/quarantine-runc-pod/index.ts";
import { tokenBucket } from "../../functions/quarantine-runc-pod/rate-limit.ts";
import { kataRuntimeFromEnv } from "../../shared/kata.ts";
import { runtimeClass } from "../../functions/label-kata-node/runtime-classes.ts";
import { unsafePods } from "../reliability/workload.ts";
import { throughBus } from "./bus-timing.ts";
import { retireBench } from "./retire-loops.ts";
import { tenantsBench } from "./tenant-loops.ts";
import {
  benchConfig,
  percentile,
  platform,
  progress,
  removeBenchStreams,
  round,
  writeFigures,
} from "./support.ts";

const PODS = Number(process.env.BENCH_PODS ?? 200);
/** Which parts run (a quick check of one: BENCH_FUNCTIONS=retire); all by default. */
const PARTS = (process.env.BENCH_FUNCTIONS ?? "tenants,quarantine,retire").split(",");
const run = Date.now().toString(36);

async function quarantineBench(
  nc: NatsConnection,
  natsUrl: string,
  kube: Kube,
  core: CoreV1Api,
): Promise<Record<string, number>> {
  const namespace = `bq${run}`;
  progress(`creating ${PODS} runc pods, then adopting their namespace as a tenant's`);
  const pods = await unsafePods(core, namespace, PODS);
  const config = benchConfig(natsUrl, "quarantine", { attempts: 5, backoffMs: [200] });
  await ensureStreams(await jetstreamManager(nc), config);
  const fn = quarantineRuncPod({
    action: "isolate",
    dryRun: false,
    kata: kataRuntimeFromEnv({}),
    limiter: tokenBucket(60, 10),
  });
  const host = await startHost({ functions: [fn], nc, kube, config, log: createLogger("bench", "silent") });
  progress(`${PODS} pod.unsafe events, one at a time → pod labelled and isolated`);
  const events = pods.map((p) =>
    newEvent({
      name: "pod.unsafe",
      source: "urn:bench",
      data: { namespace, pod: p.metadata?.name, uid: p.metadata?.uid },
    }),
  );
  const resultSubject = `${config.prefix}.pod.quarantined`;
  const bus = await throughBus({ nc, config, resultSubject, events, inFlight: 1 });
  await host.drain();
  return {
    quarantine_p50_ms: round(percentile(bus.latencies, 50)),
    quarantine_p99_ms: round(percentile(bus.latencies, 99)),
  };
}

async function main(): Promise<void> {
  const { natsUrl, kubeconfig } = await platform();
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const kube = kubeFromConfig(kc);
  for (const shim of ["qemu", "clh"]) await apply(kube, runtimeClass(shim), "bench");
  const nc = await connect({ servers: natsUrl });
  const figures = {
    ...(PARTS.includes("tenants") ? await tenantsBench(nc, natsUrl, kube) : {}),
    ...(PARTS.includes("quarantine")
      ? await quarantineBench(nc, natsUrl, kube, kc.makeApiClient(CoreV1Api))
      : {}),
    ...(PARTS.includes("retire") ? await retireBench(nc, natsUrl, kube) : {}),
  };
  await removeBenchStreams(nc);
  await nc.close();
  const file = writeFigures("functions.json", figures);
  const lines: Record<string, string> = {
    tenants: `one tenant alone (bus)       p50 ${figures.tenant_p50_ms} ms   p99 ${figures.tenant_p99_ms} ms`,
    quarantine: `quarantine, publish → isolated p50 ${figures.quarantine_p50_ms} ms   p99 ${figures.quarantine_p99_ms} ms (target p99 <= 100 ms)`,
    retire: `one retire alone (bus)       p50 ${figures.retire_p50_ms} ms   p99 ${figures.retire_p99_ms} ms`,
  };
  for (const part of PARTS) if (lines[part]) console.log(lines[part]);
  console.log(`figures written to ${file}`);
}

await main();
process.exit(0);
