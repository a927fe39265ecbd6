// `make bench-scale`: the blueprint's promise measured in one run on the embedded platform, KWOK playing the kubelets.
// Nodes join and become Kata-ready, tenants are provisioned, their pods run in Kata, quarantine acts under that load,
// and the same workload is placed shared and dedicated. BENCH_SCALE=0.05 for a quick run; figures in .icn/bench/scale.json.
import { KubeConfig } from "@kubernetes/client-node";
import { connect } from "@nats-io/transport-node";
import { DEFAULT_RETRY } from "../../shared/config.ts";
import { kubeFromConfig } from "../../shared/kube.ts";
import { requireSchedulerAndKubelets } from "../harness/nodes.ts";
import { removeRun } from "./scale-cleanup.ts";
import { startScaleHost, type ScaleHost } from "./scale-host.ts";
import { joinNodes } from "./scale-join.ts";
import { kataClass, runId, sizesFromEnv, workload, type ScaleContext } from "./scale-plan.ts";
import { createTenantPods } from "./scale-pods.ts";
import { legacyNamespace, QuarantineUnderLoad } from "./scale-quarantine.ts";
import { sharedVersusDedicated } from "./scale-sharing.ts";
import { provisionTenants } from "./scale-tenants.ts";
import { benchConfig, platform, progress, removeBenchStreams, round, writeFigures } from "./support.ts";

async function phases(ctx: ScaleContext, host: ScaleHost): Promise<Record<string, number>> {
  const sizes = sizesFromEnv();
  const tenants = workload(ctx.run, sizes);
  const names = tenants.map((t) => t.name);
  const namespaces = [...names, legacyNamespace(ctx.run)];
  let quarantine: QuarantineUnderLoad | undefined;
  try {
    const join = await joinNodes(ctx, sizes.nodes);
    const kata = await kataClass(ctx.kube);
    progress(
      `${kata.runtimeClass}: overhead ${kata.overhead.cpuMilli}m CPU, ${kata.overhead.memoryMi}Mi a pod`,
    );
    const provisioned = await provisionTenants(ctx, tenants, kata.overhead, () => host.peakRssMb());
    if (provisioned.rejected.length)
      throw new Error(`tenants rejected: ${provisioned.rejected.slice(0, 5).join("; ")}`);
    quarantine = await QuarantineUnderLoad.prepare(ctx, sizes.quarantine);
    const pods = await createTenantPods(ctx, tenants, quarantine.onCreated);
    const quarantined = await quarantine.figures();
    // Only what is measured from here on: KWOK heartbeats every node it runs, and every pod create is
    // matched against every tenant's admission bindings.
    await quarantine.removeClaims();
    await removeRun(ctx, names, namespaces);
    const sharing = await sharedVersusDedicated(ctx, workload(ctx.run, sizes.sharing), kata);
    const invariants = {
      capable_nodes_untainted_while_installing: join.untaintedWhileInstalling.length,
      nodes_wrong_after_kata_deploy: join.wrong.length,
    };
    return {
      ...sharing,
      ...join.figures,
      ...provisioned.figures,
      ...pods.figures,
      ...quarantined,
      ...invariants,
    };
  } finally {
    await quarantine?.removeClaims();
    await removeRun(ctx, names, namespaces);
  }
}

function report(f: Record<string, number>, file: string): void {
  const lines = [
    `sharing    ${f.sharing_tenants} tenants, ${f.sharing_pods} pods: shared ${f.shared_nodes} nodes, dedicated ${f.dedicated_nodes} nodes, ratio ${f.sharing_ratio} ` +
      `(arithmetic lower bounds ${f.shared_nodes_lower_bound} and ${f.dedicated_nodes_lower_bound}; dedicated without Kata's overhead >= ${f.dedicated_runc_nodes_lower_bound})`,
    `join       ${f.nodes} nodes ${f.nodes_join_per_s}/s, p50 ${f.node_join_p50_ms} ms, p99 ${f.node_join_p99_ms} ms; ` +
      `Kata-ready ${f.capable_nodes} nodes ${f.nodes_ready_per_s}/s, p50 ${f.node_ready_p50_ms} ms, p99 ${f.node_ready_p99_ms} ms`,
    `tenants    ${f.tenants}: first 100 ${f.tenants_first100_per_s}/s, last 100 ${f.tenants_last100_per_s}/s; ` +
      `one tenant p50 ${f.tenant_p50_ms} ms, p99 ${f.tenant_p99_ms} ms; ${f.apiserver_requests_per_tenant} apiserver requests a tenant`,
    `           apiserver CPU a tenant ${f.tenants_first100_apiserver_cpu_ms} ms first, ${f.tenants_last100_apiserver_cpu_ms} ms last; ` +
      `tenant policies' admission a pod ${f.tenants_first100_policy_admission_ms} ms first, ${f.tenants_last100_policy_admission_ms} ms last`,
    `pods       ${f.pods}: ${f.pods_per_s}/s to Running; on nodes not Kata-ready ${f.pods_on_unready_nodes}, outside Kata ${f.pods_outside_kata}; ` +
      `${f.pod_nodes_used} nodes used, ${f.nodes_with_several_tenants} of them with several tenants (at most ${f.most_tenants_on_a_node})`,
    `           apiserver CPU ${f.pod_apiserver_cpu_ms} ms a pod; admission ${f.pod_admission_ms} ms a pod (quota ${f.pod_quota_admission_ms}, tenant policies ${f.pod_policy_admission_ms})`,
    `quarantine ${f.quarantine_events} pod.unsafe under load: publish → isolated p50 ${f.quarantine_p50_ms} ms, p99 ${f.quarantine_p99_ms} ms`,
    `host       peak RSS ${f.host_peak_rss_mb} MB`,
    `figures written to ${file}`,
  ];
  console.log(lines.join("\n"));
}

async function main(): Promise<void> {
  const { natsUrl, kubeconfig } = await platform();
  requireSchedulerAndKubelets();
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const nc = await connect({ servers: natsUrl });
  const config = benchConfig(natsUrl, "scale", DEFAULT_RETRY);
  const ctx: ScaleContext = { kube: kubeFromConfig(kc), nc, prefix: config.prefix, run: runId() };
  progress(`scale: run ${ctx.run}, sizes ${JSON.stringify(sizesFromEnv())}`);
  const host = await startScaleHost({ natsUrl, kubeconfig, prefix: config.prefix, run: ctx.run });
  let figures: Record<string, number>;
  try {
    figures = await phases(ctx, host);
    figures.host_peak_rss_mb = round(host.peakRssMb());
  } finally {
    await host.stop();
    await removeBenchStreams(nc);
    await nc.close();
  }
  report(figures, writeFigures("scale.json", figures));
  const broken = [
    "pods_on_unready_nodes",
    "pods_outside_kata",
    "capable_nodes_untainted_while_installing",
    "nodes_wrong_after_kata_deploy",
  ];
  if (broken.some((key) => figures[key] !== 0)) {
    console.error(`an invariant does not hold: ${broken.map((k) => `${k}=${figures[k]}`).join(", ")}`);
    process.exit(1);
  }
}

await main();
process.exit(0);
