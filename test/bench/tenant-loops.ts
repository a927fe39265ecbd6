// Tenants through provision-tenant on the bus vs the same objects applied directly with client-node,
// interleaved over rounds; then the latency one tenant sees when it is the only one in flight.
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { newEvent } from "../../shared/events.ts";
import { startHost } from "../../shared/host/host.ts";
import { ensureStreams } from "../../shared/host/streams.ts";
import type { Kube } from "../../shared/kube.ts";
import { createLogger } from "../../shared/logging.ts";
import {
  optionsFromEnv as provisionOptionsFromEnv,
  provisionTenant,
} from "../../functions/provision-tenant/index.ts";
import { applyPlan, plan } from "../../functions/provision-tenant/provision.ts";
import { pool, throughBus } from "./bus-timing.ts";
import { describe, interleave, median, perRound, spreadOf } from "./rounds.ts";
import { benchConfig, percentile, progress, round } from "./support.ts";

const TENANTS = Number(process.env.BENCH_TENANTS ?? 16);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const LATENCY_TENANTS = Number(process.env.BENCH_LATENCY_TENANTS ?? 20);
/** provision-tenant's own concurrency, so the direct loop does as much at once as the host may. */
const CONCURRENCY = 4;
const run = Date.now().toString(36);
const provisionOptions = {
  ...provisionOptionsFromEnv({}),
  platformIdentities: [...provisionOptionsFromEnv({}).platformIdentities, "icn-admin"],
};
const tenantClasses = { allowed: ["kata-qemu", "kata-clh"], default: "kata-qemu" };

const tenantRequest = (tenant: string): { tenant: string; admins: { kind: "User"; name: string }[] } => ({
  tenant,
  admins: [{ kind: "User", name: `admin-${tenant}` }],
});

const names = (tag: string, count: number): string[] =>
  Array.from({ length: count }, (_, i) => `${tag}${run}-${i}`);

async function direct(kube: Kube, tag: string): Promise<number> {
  const tenants = names(tag, TENANTS);
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
  return TENANTS / ((performance.now() - started) / 1000);
}

const requests = (tenants: string[]): ReturnType<typeof newEvent>[] =>
  tenants.map((tenant) =>
    newEvent({ name: "tenant.requested", source: "urn:bench", data: tenantRequest(tenant) }),
  );

export async function tenantsBench(
  nc: NatsConnection,
  natsUrl: string,
  kube: Kube,
): Promise<Record<string, number>> {
  const config = benchConfig(natsUrl, "tenants", { attempts: 5, backoffMs: [200] });
  await ensureStreams(await jetstreamManager(nc), config);
  const host = await startHost({
    functions: [provisionTenant(provisionOptions)],
    nc,
    kube,
    config,
    log: createLogger("bench", "silent"),
  });
  const resultSubject = `${config.prefix}.tenant.provisioned`;
  progress(
    `${ROUNDS} rounds of direct, bus; ${TENANTS} tenants each (direct ${CONCURRENCY} at a time, bus all at once)`,
  );
  const figures = await interleave(
    [
      { name: "direct", run: (r) => direct(kube, `bd${r}x`) },
      {
        name: "bus",
        run: async (r) =>
          (await throughBus({ nc, config, resultSubject, events: requests(names(`bb${r}x`, TENANTS)) }))
            .perSecond,
      },
    ],
    ROUNDS,
    "tenants/s",
  );
  progress(`${LATENCY_TENANTS} tenants through the bus, one at a time (publish → tenant.provisioned)`);
  const alone = await throughBus({
    nc,
    config,
    resultSubject,
    events: requests(names("bl", LATENCY_TENANTS)),
    inFlight: 1,
  });
  await host.drain();
  const ratios = perRound(figures, "bus", "direct");
  const ratio = spreadOf(ratios);
  console.log(`tenants: medians of ${ROUNDS} interleaved rounds (min–max, spread = (max − min) / median)`);
  console.log(describe("tenants, direct client-node", figures.direct ?? [], "tenants/s", 2));
  console.log(describe("tenants, through the bus", figures.bus ?? [], "tenants/s", 2));
  console.log(describe("bus / direct (target >= 0.8)", ratios, "", 3));
  return {
    tenants_bus_per_s: round(median(figures.bus ?? []), 2),
    tenants_direct_per_s: round(median(figures.direct ?? []), 2),
    ratio: round(ratio.median, 3),
    ratio_min: round(ratio.min, 3),
    ratio_max: round(ratio.max, 3),
    rounds: ROUNDS,
    tenant_p50_ms: round(percentile(alone.latencies, 50)),
    tenant_p99_ms: round(percentile(alone.latencies, 99)),
  };
}
