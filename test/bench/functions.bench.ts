// The bus's cost beside the apiserver work: 200 tenants through provision-tenant vs the same objects
// applied directly with client-node; then pod.unsafe → pod labelled and isolated, p50/p99.
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { CoreV1Api, KubeConfig, type V1Pod } from "@kubernetes/client-node";
import type { RuntimeConfig } from "../../shared/config.ts";
import { newEvent, publishEvent } from "../../shared/events.ts";
import { startHost } from "../../shared/host/host.ts";
import { ensureStreams } from "../../shared/host/streams.ts";
import { apply } from "../../shared/kube-apply.ts";
import { kubeFromConfig, type Kube } from "../../shared/kube.ts";
import { createLogger } from "../../shared/logging.ts";
import {
  optionsFromEnv as provisionOptionsFromEnv,
  provisionTenant,
} from "../../functions/provision-tenant/index.ts";
import { applyPlan, plan } from "../../functions/provision-tenant/provision.ts";
import { quarantineRuncPod } from "../../functions/quarantine-runc-pod/index.ts";
import { tokenBucket } from "../../functions/quarantine-runc-pod/rate-limit.ts";
import { kataRuntimeFromEnv } from "../../shared/kata.ts";
import { runtimeClass } from "../../functions/label-kata-node/runtime-classes.ts";
import {
  benchConfig,
  percentile,
  platform,
  progress,
  removeBenchStreams,
  round,
  writeFigures,
} from "./support.ts";

const TENANTS = Number(process.env.BENCH_TENANTS ?? 200);
const PODS = Number(process.env.BENCH_PODS ?? 200);
const CONCURRENCY = 4;
const run = Date.now().toString(36);
const provisionOptions = {
  ...provisionOptionsFromEnv({}),
  platformIdentities: [...provisionOptionsFromEnv({}).platformIdentities, "icn-admin"],
};
const tenantClasses = { allowed: ["kata-qemu", "kata-clh"], default: "kata-qemu" };

const configFor = (natsUrl: string, tag: string): RuntimeConfig =>
  benchConfig(natsUrl, tag, { attempts: 5, backoffMs: [200] });

const tenantRequest = (tenant: string): { tenant: string; admins: { kind: "User"; name: string }[] } => ({
  tenant,
  admins: [{ kind: "User", name: `admin-${tenant}` }],
});

/** Runs `work` over items with at most `limit` at a time; returns each item's duration in ms. */
async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<number[]> {
  const durations: number[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      const started = performance.now();
      await work(item);
      durations.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return durations;
}

async function direct(kube: Kube): Promise<{ perSecond: number }> {
  const tenants = Array.from({ length: TENANTS }, (_, i) => `bd${run}-${i}`);
  const started = performance.now();
  await pool(tenants, CONCURRENCY, async (tenant) => {
    const platform = { identities: provisionOptions.platformIdentities, kataClasses: tenantClasses.allowed };
    await applyPlan(
      kube,
      plan(tenantRequest(tenant), tenantClasses, platform, { lastRequestId: tenant }),
      "kata-qemu",
      [],
    );
  });
  return { perSecond: TENANTS / ((performance.now() - started) / 1000) };
}

/**
 * Times each event from its publish to its result event. `inFlight` events at a time: all of
 * them for throughput, one for the latency a single event sees on a quiet platform.
 */
async function throughBus(
  nc: NatsConnection,
  config: RuntimeConfig,
  resultSubject: string,
  events: ReturnType<typeof newEvent>[],
  inFlight = events.length,
): Promise<{ perSecond: number; latencies: number[] }> {
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let wake: () => void = () => {};
  const sub = nc.subscribe(resultSubject);
  const done = (async (): Promise<void> => {
    for await (const msg of sub) {
      const at = sentAt.get(msg.headers?.get("ce-causeid") ?? "");
      if (at !== undefined) latencies.push(performance.now() - at);
      wake();
      if (latencies.length === events.length) break;
    }
  })();
  const js = jetstream(nc);
  const started = performance.now();
  for (const [i, event] of events.entries()) {
    while (i - latencies.length >= inFlight) await new Promise<void>((resolve) => (wake = resolve));
    sentAt.set(event.id, performance.now());
    await publishEvent(js, config.prefix, event);
  }
  await done;
  return {
    perSecond: events.length / ((performance.now() - started) / 1000),
    latencies: latencies.sort((a, b) => a - b),
  };
}

async function tenantsBench(
  nc: NatsConnection,
  natsUrl: string,
  kube: Kube,
): Promise<Record<string, number>> {
  progress(`${TENANTS} tenants applied directly with client-node (${CONCURRENCY} at a time)`);
  const baseline = await direct(kube);
  const config = configFor(natsUrl, "tenants");
  await ensureStreams(await jetstreamManager(nc), config);
  const host = await startHost({
    functions: [provisionTenant(provisionOptions)],
    nc,
    kube,
    config,
    log: createLogger("bench", "silent"),
  });
  progress(`${TENANTS} tenants through the bus (publish → tenant.provisioned)`);
  const events = Array.from({ length: TENANTS }, (_, i) =>
    newEvent({ name: "tenant.requested", source: "urn:bench", data: tenantRequest(`bb${run}-${i}`) }),
  );
  const bus = await throughBus(nc, config, `${config.prefix}.tenant.provisioned`, events);
  await host.drain();
  return {
    tenants_bus_per_s: round(bus.perSecond, 2),
    tenants_direct_per_s: round(baseline.perSecond, 2),
    ratio: round(bus.perSecond / baseline.perSecond, 3),
    tenant_p50_ms: round(percentile(bus.latencies, 50)),
    tenant_p99_ms: round(percentile(bus.latencies, 99)),
  };
}

async function quarantineBench(
  nc: NatsConnection,
  natsUrl: string,
  kube: Kube,
  core: CoreV1Api,
): Promise<Record<string, number>> {
  const namespace = `bq${run}`;
  await core.createNamespace({
    body: { metadata: { name: namespace, labels: { "icn.akraino.org/tenant": namespace } } },
  });
  await apply(
    kube,
    { apiVersion: "node.k8s.io/v1", kind: "RuntimeClass", metadata: { name: "runc" }, handler: "runc" },
    "bench",
  );
  progress(`creating ${PODS} runc pods`);
  const pods: V1Pod[] = [];
  await pool(
    Array.from({ length: PODS }, (_, i) => i),
    8,
    async (i) => {
      pods.push(
        await core.createNamespacedPod({
          namespace,
          body: {
            metadata: { name: `legacy-${i}` },
            spec: { runtimeClassName: "runc", containers: [{ name: "c", image: "legacy:1" }] },
          },
        }),
      );
    },
  );
  const config = configFor(natsUrl, "quarantine");
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
  const bus = await throughBus(nc, config, `${config.prefix}.pod.quarantined`, events, 1);
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
    ...(await tenantsBench(nc, natsUrl, kube)),
    ...(await quarantineBench(nc, natsUrl, kube, kc.makeApiClient(CoreV1Api))),
  };
  await removeBenchStreams(nc);
  await nc.close();
  const file = writeFigures("functions.json", figures);
  console.log(`tenants, direct client-node  ${figures.tenants_direct_per_s} tenants/s`);
  console.log(
    `tenants, through the bus     ${figures.tenants_bus_per_s} tenants/s   ratio ${figures.ratio} (target >= 0.8)`,
  );
  console.log(
    `per tenant (bus)             p50 ${figures.tenant_p50_ms} ms   p99 ${figures.tenant_p99_ms} ms`,
  );
  console.log(
    `quarantine, publish → isolated p50 ${figures.quarantine_p50_ms} ms   p99 ${figures.quarantine_p99_ms} ms (target p99 <= 100 ms)`,
  );
  console.log(`figures written to ${file}`);
}

await main();
process.exit(0);
