// Sharing vs dedicated: the same tenants' pods, Kata's overhead included, placed twice by kube-scheduler: all tenants
// on one pool of nodes, then each tenant on nodes of its own (the blueprint's "dedicated nodes per tenant").
import { demand, nodesAtLeast, type PodShape, type ScaleContext, type TenantWorkload } from "./scale-plan.ts";
import { placeAll, type PlannedPod } from "./scale-pool.ts";
import { progress, round } from "./support.ts";

const sum = (values: Iterable<number>): number => [...values].reduce((a, b) => a + b, 0);

/** Each tenant's pods, put in the group `groupOf` names; `mode` keeps the two runs' pod names apart. */
function planned(
  tenants: TenantWorkload[],
  mode: string,
  groupOf: (t: TenantWorkload) => string,
): PlannedPod[] {
  return tenants.flatMap((t) =>
    t.pods.map((shape, j) => ({ name: `${t.name}-${mode}${j}`, tenant: t.name, group: groupOf(t), shape })),
  );
}

/** What arithmetic alone allows: every tenant's pods packed perfectly, each dedicated tenant on at least one node. */
function lowerBounds(tenants: TenantWorkload[], overhead: PodShape): Record<string, number> {
  const none = { cpuMilli: 0, memoryMi: 0 };
  const perTenant = (o: PodShape): number =>
    sum(tenants.map((t) => Math.max(1, nodesAtLeast(demand(t.pods, o)))));
  return {
    shared_nodes_lower_bound: nodesAtLeast(
      demand(
        tenants.flatMap((t) => t.pods),
        overhead,
      ),
    ),
    dedicated_nodes_lower_bound: perTenant(overhead),
    // Dedicated nodes need no VM to keep tenants apart: without the overhead, by arithmetic.
    dedicated_runc_nodes_lower_bound: perTenant(none),
  };
}

export async function sharedVersusDedicated(
  ctx: ScaleContext,
  tenants: TenantWorkload[],
  kata: { runtimeClass: string; overhead: PodShape },
): Promise<Record<string, number>> {
  const namespace = `${ctx.run}-placement`;
  const bounds = lowerBounds(tenants, kata.overhead);
  await ctx.kube.core.createNamespace({ body: { metadata: { name: namespace } } });
  try {
    const pods = sum(tenants.map((t) => t.pods.length));
    progress(
      `sharing: ${tenants.length} tenants' ${pods} pods (${kata.runtimeClass}), all tenants on one pool of nodes`,
    );
    const shared = await placeAll(
      ctx,
      { tag: `${ctx.run}-shared`, namespace, ...kata },
      planned(tenants, "s", () => `${ctx.run}-shared`),
    );
    const sharedNodes = sum(shared.used.values());
    progress(`sharing: shared, ${sharedNodes} nodes (lower bound ${bounds.shared_nodes_lower_bound})`);
    progress(`sharing: the same pods, each tenant on nodes labelled for it alone`);
    const dedicated = await placeAll(
      ctx,
      { tag: `${ctx.run}-dedicated`, namespace, ...kata },
      planned(tenants, "d", (t) => `${t.name}-own`),
    );
    const dedicatedNodes = sum(dedicated.used.values());
    progress(
      `sharing: dedicated, ${dedicatedNodes} nodes (lower bound ${bounds.dedicated_nodes_lower_bound})`,
    );
    return {
      sharing_tenants: tenants.length,
      sharing_pods: pods,
      shared_nodes: sharedNodes,
      dedicated_nodes: dedicatedNodes,
      sharing_ratio: round(dedicatedNodes / sharedNodes, 2),
      ...bounds,
      shared_rounds: shared.rounds,
      dedicated_rounds: dedicated.rounds,
    };
  } finally {
    await ctx.kube.core.deleteNamespace({ name: namespace });
  }
}
