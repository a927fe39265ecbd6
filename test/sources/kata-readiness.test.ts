// The node watcher's Kata readiness end to end: a tainted node turns ready (the test plays kata-deploy) or runs past
// its deadline; the watcher says which on the bus, and the functions lift the taint or warn.
import { CoreV1Api, EventsV1Api, type V1Node, type V1Taint } from "@kubernetes/client-node";
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { labelKataNode } from "../../functions/label-kata-node/index.ts";
import { reportKataFailure } from "../../functions/report-kata-failure/index.ts";
import { untaintKataNode } from "../../functions/untaint-kata-node/index.ts";
import { subjectOf, type EventName } from "../../schemas/events.ts";
import type { RuntimeConfig } from "../../shared/config.ts";
import { stableId } from "../../shared/events.ts";
import type { Host } from "../../shared/host/host.ts";
import { kataRuntimeFromEnv } from "../../shared/kata.ts";
import { kubeFromConfig } from "../../shared/kube.ts";
import { createLogger } from "../../shared/logging.ts";
import { NODE_WATCHER, startWatchers, type Watchers } from "../../shared/sources/index.ts";
import { hintKey } from "../../shared/sources/kata-readiness.ts";
import { kubeConfig, natsConnection, uniqueName } from "../harness/servers.ts";
import { startTestHost, streamMessages, testConfig, waitForOutcome, waitUntil } from "../runtime/support.ts";

const kc = kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const kube = kubeFromConfig(kc);
const log = createLogger("test-kata-readiness", process.env.ICN_LOG_LEVEL ?? "silent");
const RUN_LABEL = "icn-test/kata-readiness";
const OURS: V1Taint = { key: "icn.akraino.org/kata-not-ready", effect: "NoSchedule" };
const DEDICATED: V1Taint = { key: "dedicated", value: "edge", effect: "NoSchedule" };
const VMX = { "kubernetes.io/arch": "amd64", "feature.node.kubernetes.io/cpu-cpuid.VMX": "true" };
/** Short enough to wait out, long enough for the label, the taint and kata-deploy's label to land first. */
const DEADLINE_MS = 4000;
let nc: NatsConnection;
const hosts: Host[] = [];
const running: Watchers[] = [];

beforeAll(async () => {
  nc = await natsConnection();
});
afterAll(async () => {
  for (const w of running) await w.stop();
  for (const h of hosts) await h.drain();
  await nc.close();
});

/** The node watcher over this test's nodes only (other suites share the apiserver), with a short deadline. */
async function watchNodes(config: RuntimeConfig, selector: string): Promise<Watchers> {
  const watchers = await startWatchers({
    kube,
    js: jetstream(nc),
    config,
    log,
    options: {
      watchers: ["node-watcher"],
      kata: kataRuntimeFromEnv({}),
      nodeSelector: `${RUN_LABEL}=${selector}`,
      kataInstallDeadlineMs: DEADLINE_MS,
      namespaceSelector: `icn.akraino.org/tenant=${uniqueName("none")}`,
    },
  });
  running.push(watchers);
  await watchers.synced;
  return watchers;
}
/** The three node functions, as the platform runs them (here with the same short deadline). */
async function nodeFunctions(config: RuntimeConfig): Promise<Host> {
  const host = await startTestHost(nc, config, [
    labelKataNode({ shims: ["qemu", "clh"] }),
    untaintKataNode(),
    reportKataFailure({ installDeadlineMs: DEADLINE_MS, clockSkewMs: 0 }),
  ]);
  hosts.push(host);
  return host;
}
const dataOf = async (config: RuntimeConfig, name: EventName): Promise<Record<string, unknown>[]> =>
  (await streamMessages(nc, config.eventsStream, subjectOf(config.prefix, name))).map(
    (m) => JSON.parse(new TextDecoder().decode(m.data)) as Record<string, unknown>,
  );
const taintsOf = async (name: string): Promise<V1Taint[]> =>
  (await core.readNode({ name })).spec?.taints?.map(({ key, value, effect }) => ({ key, value, effect })) ??
  [];
async function taintedWith(name: string, expected: V1Taint[]): Promise<void> {
  await waitUntil(`node ${name}'s taints to be ${JSON.stringify(expected)}`, async () =>
    JSON.stringify(await taintsOf(name)) === JSON.stringify(expected) ? true : undefined,
  );
}
/** The test plays kata-deploy: nothing under functions/ ever writes this label. */
async function kataDeployFinishes(name: string): Promise<void> {
  const path = "/metadata/labels/katacontainers.io~1kata-runtime";
  await core.patchNode({ name, body: [{ op: "add", path, value: "true" }] });
}
const hintEvent = (node: V1Node, hint: EventName): { id: string; source: string } => ({
  id: stableId(NODE_WATCHER.name, hintKey(node, hint)),
  source: NODE_WATCHER.source,
});

test("a joined node is tainted; kata-deploy's label makes it node.kata-ready, and only our taint goes", async () => {
  const config = testConfig();
  const selector = uniqueName("ready");
  const host = await nodeFunctions(config);
  await watchNodes(config, selector);
  const created = await core.createNode({
    body: {
      metadata: { name: uniqueName("intel"), labels: { ...VMX, [RUN_LABEL]: selector } },
      spec: { taints: [DEDICATED] },
    },
  });
  const name = created.metadata?.name ?? "";
  await taintedWith(name, [DEDICATED, OURS]);
  const tainted = await core.readNode({ name });

  await kataDeployFinishes(name);
  await taintedWith(name, [DEDICATED]);
  expect(await dataOf(config, "node.kata-ready")).toEqual([{ node: name, uid: created.metadata?.uid }]);
  const ready = hintEvent(tainted, "node.kata-ready");
  expect(
    await waitForOutcome(host, ready, "untaint-kata-node", ["succeeded", "rejected", "dead-lettered"]),
  ).toMatchObject({ state: "succeeded" });
  expect(await dataOf(config, "node.kata-schedulable")).toEqual([expect.objectContaining({ node: name })]);
  // Ready before its deadline: no overdue hint ever follows, though the deadline has passed by now.
  await new Promise((r) => setTimeout(r, DEADLINE_MS));
  expect(await dataOf(config, "node.kata-overdue")).toEqual([]);
});

test("a node kata-deploy never finishes is node.kata-overdue at its deadline: a Warning, node.kata-failed, the taint kept", async () => {
  const config = testConfig();
  const selector = uniqueName("late");
  const host = await nodeFunctions(config);
  await watchNodes(config, selector);
  const created = await core.createNode({
    body: { metadata: { name: uniqueName("intel"), labels: { ...VMX, [RUN_LABEL]: selector } } },
  });
  const name = created.metadata?.name ?? "";
  await taintedWith(name, [OURS]);
  const tainted = await core.readNode({ name });
  const stamp = Date.parse(tainted.metadata?.annotations?.["icn.akraino.org/kata-tainted-at"] ?? "");

  // Nothing happens to the node: only the watcher's timer can notice.
  const overdue = await waitUntil(
    "node.kata-overdue",
    async () => ((await dataOf(config, "node.kata-overdue")).length ? Date.now() : undefined),
    DEADLINE_MS + 30_000,
  );
  expect(overdue).toBeGreaterThanOrEqual(stamp + DEADLINE_MS);
  expect(
    await waitForOutcome(host, hintEvent(tainted, "node.kata-overdue"), "report-kata-failure", [
      "succeeded",
      "rejected",
      "dead-lettered",
    ]),
  ).toMatchObject({ state: "succeeded" });
  expect(await dataOf(config, "node.kata-failed")).toEqual([
    expect.objectContaining({ node: name, taintedAt: new Date(stamp).toISOString() }),
  ]);
  expect(await taintsOf(name)).toEqual([OURS]);
  const events = await kc.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: "default" });
  expect(
    events.items.filter((e) => e.regarding?.uid === created.metadata?.uid && e.type === "Warning"),
  ).toEqual([expect.objectContaining({ reason: "KataInstallOverdue" })]);
});

test("a watcher started after the deadline passed reports it from the annotation at once, and a ready node as ready", async () => {
  const config = testConfig();
  const selector = uniqueName("restart");
  // Tainted an hour ago by an earlier label-kata-node, while no watcher ran.
  const anHourAgo = new Date(Date.now() - 3_600_000).toISOString();
  const node = (prefix: string, labels: Record<string, string> = {}): Promise<V1Node> =>
    core.createNode({
      body: {
        metadata: {
          name: uniqueName(prefix),
          labels: { ...VMX, "icn.akraino.org/kata": "enabled", [RUN_LABEL]: selector, ...labels },
          annotations: { "icn.akraino.org/kata-tainted-at": anHourAgo },
        },
        spec: { taints: [OURS] },
      },
    });
  const late = await node("late");
  const ready = await node("ready", { "katacontainers.io/kata-runtime": "true" });
  const watchers = await watchNodes(config, selector);
  expect(watchers.stats()["node-watcher"]).toMatchObject({ published: 2 });
  expect(await dataOf(config, "node.kata-overdue")).toEqual([
    { node: late.metadata?.name, uid: late.metadata?.uid },
  ]);
  expect(await dataOf(config, "node.kata-ready")).toEqual([
    { node: ready.metadata?.name, uid: ready.metadata?.uid },
  ]);

  // Another restart finds the same two and publishes them under the same ids: JetStream drops the repeats.
  await watchers.stop();
  const again = await watchNodes(config, selector);
  expect(again.stats()["node-watcher"]).toMatchObject({ published: 0, duplicates: 2 });
});
