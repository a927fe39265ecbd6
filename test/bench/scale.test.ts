// `make bench-scale` at a small size, for what must hold rather than how fast: capable nodes stay tainted until
// kata-deploy's label and are untainted after it, every tenant is provisioned through the bus, and every tenant pod,
// created by its admin with no class, runs in a Kata class on a Kata-ready node. The run's nodes and pods are its own.
import type { NatsConnection } from "@nats-io/transport-node";
import { kubeFromConfig } from "../../shared/kube.ts";
import { requireSchedulerAndKubelets } from "../harness/nodes.ts";
import { kubeConfig, natsConnection } from "../harness/servers.ts";
import { removeRun } from "./scale-cleanup.ts";
import { startScaleHost, type ScaleHost } from "./scale-host.ts";
import { joinNodes, type JoinResult } from "./scale-join.ts";
import { kataClass, runId, workload, type ScaleContext } from "./scale-plan.ts";
import { createTenantPods, type PodsResult } from "./scale-pods.ts";
import { provisionTenants, type TenantsResult } from "./scale-tenants.ts";
import { benchConfig, removeBenchStreams } from "./support.ts";

const SIZES = { nodes: 50, tenants: 50, pods: 300 };
const run = runId();
const tenants = workload(run, SIZES);
let nc: NatsConnection;
let ctx: ScaleContext;
let host: ScaleHost | undefined;
let join: JoinResult;
let provisioned: TenantsResult;
let pods: PodsResult;

beforeAll(async () => {
  requireSchedulerAndKubelets();
  nc = await natsConnection();
  const kc = kubeConfig();
  const config = benchConfig(process.env.NATS_URL ?? "", "scaletest", { attempts: 5, backoffMs: [200] });
  ctx = { kube: kubeFromConfig(kc), nc, prefix: config.prefix, run };
  const where = { natsUrl: config.natsUrl, kubeconfig: process.env.KUBECONFIG ?? "" };
  host = await startScaleHost({ ...where, prefix: config.prefix, run, fromSources: true });
  join = await joinNodes(ctx, SIZES.nodes);
  provisioned = await provisionTenants(
    ctx,
    tenants,
    (await kataClass(ctx.kube)).overhead,
    () => host?.peakRssMb() ?? 0,
  );
  pods = await createTenantPods(ctx, tenants);
}, 240_000);

afterAll(async () => {
  await host?.stop();
  const names = tenants.map((t) => t.name);
  if (ctx) await removeRun(ctx, names, names);
  // The streams the host made for its prefix.
  await removeBenchStreams(nc);
  await nc.close();
}, 120_000);

test("every capable node is tainted while Kata installs, and untainted once kata-deploy labels it ready", () => {
  expect(join.capable.length).toBeGreaterThan(0);
  expect(join.untaintedWhileInstalling).toEqual([]);
  expect(join.wrong).toEqual([]);
});

test("every tenant is provisioned through the bus, none refused", () => {
  expect(provisioned.rejected).toEqual([]);
  expect(provisioned.provisioned.sort()).toEqual(tenants.map((t) => t.name).sort());
});

test("every tenant pod runs, in a Kata class, on a node where Kata is ready", () => {
  const total = tenants.reduce((sum, t) => sum + t.pods.length, 0);
  expect(pods.running).toBe(total);
  expect(pods.outsideKata).toEqual([]);
  expect(pods.onUnreadyNodes).toEqual([]);
  // Tenants share nodes: that is the point of Kata here.
  expect(pods.figures.nodes_with_several_tenants).toBeGreaterThan(0);
});
