// Retiring tenants through retire-tenant on the bus vs the same deletes done directly with client-node, interleaved over
// rounds; then the latency one retire sees when it is the only one in flight. Each tenant has 3 namespaces and
// BENCH_RETIRE_PODS pods, kept Pending by a nodeSelector no node matches (deleting a pod costs the same whether it ran:
// no kubelet stands in the way here, and the shared machine's KWOK nodes stay free for other suites).
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { KubernetesObject } from "@kubernetes/client-node";
import { applyPlan, plan } from "../../functions/provision-tenant/provision.ts";
import { optionsFromEnv as provisionOptionsFromEnv } from "../../functions/provision-tenant/index.ts";
import { retireTenant } from "../../functions/retire-tenant/index.ts";
import { tenantBindings } from "../../functions/retire-tenant/plan.ts";
import { PLATFORM_NAMESPACE } from "../../schemas/names.ts";
import { newEvent } from "../../shared/events.ts";
import { startHost } from "../../shared/host/host.ts";
import { ensureStreams } from "../../shared/host/streams.ts";
import { deleteIfPresent, readIfExists } from "../../shared/kube-apply.ts";
import type { Kube } from "../../shared/kube.ts";
import { createLogger } from "../../shared/logging.ts";
import { evict } from "../../shared/tenant-release.ts";
import { pool, throughBus } from "./bus-timing.ts";
import { describe, interleave, median, perRound, spreadOf } from "./rounds.ts";
import { benchConfig, percentile, progress, round } from "./support.ts";

const TENANTS = Number(process.env.BENCH_RETIRE_TENANTS ?? 100);
const PODS = Number(process.env.BENCH_RETIRE_PODS ?? 10);
const ROUNDS = Number(process.env.BENCH_RETIRE_ROUNDS ?? 3);
/** BENCH_RETIRE_TENANTS a side in all, spread over the rounds: a retire takes seconds (the namespace controller's). */
const PER_ROUND = Math.ceil(TENANTS / ROUNDS);
const LATENCY_TENANTS = Number(process.env.BENCH_RETIRE_LATENCY_TENANTS ?? 20);
/** retire-tenant's own concurrency, so the direct loop does as much at once as the host may. */
const CONCURRENCY = 4;
/** How many tenants are set up at once (not timed). */
const SETUP = 8;
const run = Date.now().toString(36);
const platformIdentities = [...provisionOptionsFromEnv({}).platformIdentities, "icn-admin"];
const tenantClasses = { allowed: ["kata-qemu", "kata-clh"], default: "kata-qemu" };

const namespacesOf = (tenant: string): string[] => [tenant, `${tenant}-a`, `${tenant}-b`];
const names = (tag: string, count: number): string[] =>
  Array.from({ length: count }, (_, i) => `${tag}${run}-${i}`);

/** A provisioned tenant (as provision-tenant applies it) with its pods, Pending. */
async function aTenant(kube: Kube, tenant: string): Promise<void> {
  const namespaces = namespacesOf(tenant);
  const request = { tenant, admins: [{ kind: "User" as const, name: `admin-${tenant}` }], namespaces };
  const platform = { identities: platformIdentities, kataClasses: tenantClasses.allowed };
  await applyPlan(kube, plan(request, tenantClasses, platform, { lastRequestId: tenant }), "kata-qemu", []);
  for (let i = 0; i < PODS; i++) {
    const namespace = namespaces[i % namespaces.length] ?? tenant;
    await kube.core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: `p${i}` },
        spec: {
          nodeSelector: { "icn-bench/no-such-node": "true" },
          containers: [{ name: "c", image: "registry.example/app:1" }],
        },
      },
    });
  }
}

async function setUp(kube: Kube, tenants: string[]): Promise<void> {
  await pool(tenants, SETUP, (tenant) => aTenant(kube, tenant));
}

const namespace = (name: string): KubernetesObject => ({
  apiVersion: "v1",
  kind: "Namespace",
  metadata: { name },
});

/**
 * What retire-tenant deletes, without its freeze, probes, record or Events: pods, namespaces (until gone), bindings,
 * state; with the same parallelism within a tenant (pods eight at a time, namespaces side by side), so the ratio
 * measures the bus and the safety steps, not a slower loop.
 */
async function retireDirectly(kube: Kube, tenant: string): Promise<void> {
  const namespaces = namespacesOf(tenant);
  const lists = await Promise.all(namespaces.map((ns) => kube.core.listNamespacedPod({ namespace: ns })));
  await pool(
    lists.flatMap((list) => list.items),
    8,
    async (pod) => void (await evict(kube, pod)),
  );
  await Promise.all(namespaces.map((ns) => deleteIfPresent(kube, namespace(ns))));
  for (;;) {
    const left = await Promise.all(namespaces.map((ns) => readIfExists(kube, namespace(ns))));
    if (!left.some(Boolean)) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  for (const binding of await tenantBindings(kube, tenant)) await deleteIfPresent(kube, binding);
  for (const name of [`tenant-${tenant}.state`, `tenant-${tenant}`])
    await deleteIfPresent(kube, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name, namespace: PLATFORM_NAMESPACE },
    });
}

async function direct(kube: Kube, tenants: string[]): Promise<number> {
  const started = performance.now();
  await pool(tenants, CONCURRENCY, (tenant) => retireDirectly(kube, tenant));
  return tenants.length / ((performance.now() - started) / 1000);
}

const retires = (tenants: string[]): ReturnType<typeof newEvent>[] =>
  tenants.map((tenant) =>
    newEvent({
      name: "tenant.retire-requested",
      source: "urn:bench",
      data: { tenant, evictionDeadlineSeconds: 10 },
    }),
  );

export async function retireBench(
  nc: NatsConnection,
  natsUrl: string,
  kube: Kube,
): Promise<Record<string, number>> {
  const config = benchConfig(natsUrl, "retire", { attempts: 5, backoffMs: [500] });
  await ensureStreams(await jetstreamManager(nc), config);
  const host = await startHost({
    functions: [retireTenant({ maxClockSkewMs: 300_000, tenantGrants: [] })],
    nc,
    kube,
    config,
    log: createLogger("bench", "silent"),
  });
  const resultSubject = `${config.prefix}.tenant.retired`;
  const tenantsOf = (tag: string, r: number): string[] => names(`${tag}${r}x`, PER_ROUND);
  progress(
    `${ROUNDS} rounds of direct, bus; ${PER_ROUND * ROUNDS} tenants a side (${PER_ROUND} a round) of 3 namespaces and ${PODS} pods each (direct ${CONCURRENCY} at a time, bus all at once)`,
  );
  const figures = await interleave(
    [
      { name: "direct", run: (r) => direct(kube, tenantsOf("rd", r)) },
      {
        name: "bus",
        run: async (r) =>
          (await throughBus({ nc, config, resultSubject, events: retires(tenantsOf("rb", r)) })).perSecond,
      },
    ],
    ROUNDS,
    "tenants/s",
    async (r) => setUp(kube, [...tenantsOf("rd", r), ...tenantsOf("rb", r)]),
  );
  progress(`${LATENCY_TENANTS} retires through the bus, one at a time (publish → tenant.retired)`);
  const lone = names("rl", LATENCY_TENANTS);
  await setUp(kube, lone);
  const alone = await throughBus({ nc, config, resultSubject, events: retires(lone), inFlight: 1 });
  await host.drain();
  const ratio = spreadOf(perRound(figures, "bus", "direct"));
  console.log(`retire: medians of ${ROUNDS} interleaved rounds (min–max, spread = (max − min) / median)`);
  console.log(describe("retire, direct client-node", figures.direct ?? [], "tenants/s", 2));
  console.log(describe("retire, through the bus", figures.bus ?? [], "tenants/s", 2));
  console.log(describe("bus / direct (target >= 0.8)", perRound(figures, "bus", "direct"), "", 3));
  return {
    retire_bus_per_s: round(median(figures.bus ?? []), 2),
    retire_direct_per_s: round(median(figures.direct ?? []), 2),
    retire_ratio: round(ratio.median, 3),
    retire_ratio_min: round(ratio.min, 3),
    retire_ratio_max: round(ratio.max, 3),
    retire_rounds: ROUNDS,
    retire_tenants: PER_ROUND * ROUNDS,
    retire_p50_ms: round(percentile(alone.latencies, 50)),
    retire_p99_ms: round(percentile(alone.latencies, 99)),
  };
}
