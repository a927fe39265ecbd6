// Tenants: requests go through the bus in batches to provision-tenant, one namespace each; the first batch and the
// last are timed (the cost of one tenant must not grow with the tenants already there), the apiserver counts requests.
import { jetstream } from "@nats-io/jetstream";
import { newEvent, publishEvent } from "../../shared/events.ts";
import {
  admissionMeans,
  admissionTimes,
  apiserverCpuSeconds,
  costPer,
  describeCost,
  policyAdmissionMs,
  requestCounts,
  scrape,
} from "./scale-apiserver.ts";
import { quotaFor, type PodShape, type ScaleContext, type TenantWorkload } from "./scale-plan.ts";
import { byTenant, ResultLog } from "./scale-results.ts";
import { percentile, progress, round } from "./support.ts";

export interface TenantsResult {
  figures: Record<string, number>;
  provisioned: string[];
  /** Tenants refused, with the reason (must be none). */
  rejected: string[];
}

const BATCH = 100;

function request(tenant: TenantWorkload, overhead: PodShape): ReturnType<typeof newEvent> {
  return newEvent({
    name: "tenant.requested",
    source: "urn:bench:scale",
    data: {
      tenant: tenant.name,
      admins: [{ kind: "User", name: tenant.admin }],
      quota: quotaFor(tenant, overhead),
    },
  });
}

/** Publishes one batch at once and waits for every result; its tenants per second. */
async function batch(
  ctx: ScaleContext,
  results: ResultLog,
  requests: { tenant: TenantWorkload; event: ReturnType<typeof newEvent> }[],
  sentAt: Map<string, number>,
): Promise<number> {
  const js = jetstream(ctx.nc);
  const started = performance.now();
  for (const { tenant, event } of requests) {
    sentAt.set(tenant.name, performance.now());
    await publishEvent(js, ctx.prefix, event);
  }
  const tenants = requests.map((r) => r.tenant);
  const names = tenants.map((t) => t.name);
  await results.waitFor("tenants: this batch provisioned", names, 120_000 + tenants.length * 5_000);
  return tenants.length / ((results.lastAt(names) - started) / 1000);
}

export async function provisionTenants(
  ctx: ScaleContext,
  tenants: TenantWorkload[],
  overhead: PodShape,
  /** Reads the host's peak RSS so far (MB), for the progress lines. */
  hostRss: () => number,
): Promise<TenantsResult> {
  const results = new ResultLog(ctx.nc, ctx.prefix, ["tenant.provisioned", "tenant.rejected"], byTenant);
  const sentAt = new Map<string, number>();
  const rates: number[] = [];
  // The tenant policies' admission time per pod create (their dry-run probes here), batch by batch: it grows
  // with the bindings already there, where the batch's rate also moves with the shared machine's load.
  const policyMs: number[] = [];
  // The apiserver's CPU per tenant, batch by batch: a cost the shared machine's load hardly moves.
  const cpuMs: number[] = [];
  try {
    progress(`tenants: ${tenants.length} requested through the bus, ${BATCH} at a time`);
    const first = await scrape(ctx.kube.config);
    let last = first;
    for (let i = 0; i < tenants.length; i += BATCH) {
      const requests = tenants
        .slice(i, i + BATCH)
        .map((tenant) => ({ tenant, event: request(tenant, overhead) }));
      const rate = await batch(ctx, results, requests, sentAt);
      const now = await scrape(ctx.kube.config);
      rates.push(rate);
      policyMs.push(policyAdmissionMs(admissionMeans(admissionTimes(last), admissionTimes(now))));
      cpuMs.push(((apiserverCpuSeconds(now) - apiserverCpuSeconds(last)) * 1000) / requests.length);
      last = now;
      const done = Math.min(i + BATCH, tenants.length);
      progress(
        `tenants: ${done}/${tenants.length}, this batch ${rate.toFixed(2)} tenants/s, apiserver CPU ${cpuMs.at(-1)?.toFixed(0)} ms a tenant, ` +
          `tenant policies' admission ${policyMs.at(-1)?.toFixed(1)} ms a pod, host peak RSS ${hostRss().toFixed(0)} MB`,
      );
    }
    const cost = costPer(requestCounts(first), requestCounts(last), tenants.length);
    progress(`tenants: apiserver requests per tenant ${cost.total.toFixed(1)}: ${describeCost(cost)}`);
    const latencies = results.latencies(sentAt);
    const rejected = [...results.seen]
      .filter(([, seen]) => seen.type === "tenant.rejected")
      .map(([tenant, seen]) => `${tenant}: ${JSON.stringify(seen.data.reason ?? seen.data)}`);
    return {
      figures: {
        tenants: tenants.length,
        tenants_first100_per_s: round(rates[0] ?? NaN, 2),
        tenants_last100_per_s: round(rates.at(-1) ?? NaN, 2),
        tenants_first100_apiserver_cpu_ms: round(cpuMs[0] ?? NaN),
        tenants_last100_apiserver_cpu_ms: round(cpuMs.at(-1) ?? NaN),
        tenants_first100_policy_admission_ms: round(policyMs[0] ?? NaN, 1),
        tenants_last100_policy_admission_ms: round(policyMs.at(-1) ?? NaN, 1),
        tenant_p50_ms: round(percentile(latencies, 50)),
        tenant_p99_ms: round(percentile(latencies, 99)),
        apiserver_requests_per_tenant: round(cost.total, 1),
      },
      provisioned: [...results.seen].filter(([, s]) => s.type === "tenant.provisioned").map(([t]) => t),
      rejected,
    };
  } finally {
    results.close();
  }
}
