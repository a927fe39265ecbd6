// report-kata-failure with its own ServiceAccount's token: reads a node and warns on it; it cannot change the node.
import { CoreV1Api, EventsV1Api, type KubeConfig } from "@kubernetes/client-node";
import type { NatsConnection } from "@nats-io/transport-node";
import { optionsFromEnv, reportKataFailure } from "../../functions/report-kata-failure/index.ts";
import { kubeFromConfig } from "../../shared/kube.ts";
import { kubeConfig, natsConnection, uniqueName } from "../harness/servers.ts";
import { functionRig, type FunctionRig } from "../functions/support.ts";
import { applyBaseRbac, attempt, can, serviceAccountConfig } from "./identities.ts";

const admin = kubeConfig();
const core = admin.makeApiClient(CoreV1Api);
const OURS = { key: "icn.akraino.org/kata-not-ready", effect: "NoSchedule" };
let asFunction: KubeConfig;
let nc: NatsConnection;
let rig: FunctionRig;

beforeAll(async () => {
  await applyBaseRbac();
  asFunction = await serviceAccountConfig("report-kata-failure");
  nc = await natsConnection();
  // The Deployment's options (config.env: a ten-minute deadline).
  rig = await functionRig(nc, [reportKataFailure(optionsFromEnv({}))], kubeFromConfig(asFunction));
});
afterAll(async () => {
  await rig.stop();
  await nc.close();
});

test("reads an overdue node, records a Warning Event on it and says node.kata-failed", async () => {
  const labels = { "icn.akraino.org/kata": "enabled", "katacontainers.io/kata-runtime": "false" };
  const annotations = { "icn.akraino.org/kata-tainted-at": new Date(Date.now() - 3_600_000).toISOString() };
  const node = await core.createNode({
    body: { metadata: { name: uniqueName("late"), labels, annotations }, spec: { taints: [OURS] } },
  });
  const name = node.metadata?.name ?? "";
  const { event, outcome } = await rig.send("node.kata-overdue", { node: name }, "report-kata-failure");
  expect(outcome).toMatchObject({ state: "succeeded" });
  const events = await admin.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: "default" });
  const warnings = events.items.filter(
    (e) => e.regarding?.uid === node.metadata?.uid && e.type === "Warning",
  );
  expect(warnings.map((e) => e.reason)).toEqual(["KataInstallOverdue"]);
  expect(await rig.results(event.id, "node.kata-failed")).toHaveLength(1);
  expect((await core.readNode({ name })).metadata?.resourceVersion).toBe(node.metadata?.resourceVersion);
});

describe("the apiserver allows exactly what it uses", () => {
  test.each([
    ["get nodes", { verb: "get", resource: "nodes" }],
    [
      "create events in default",
      { verb: "create", group: "events.k8s.io", resource: "events", namespace: "default" },
    ],
  ])("may %s", async (_, attributes) => {
    expect(await can(asFunction, attributes)).toBe(true);
  });

  test.each([
    ["patch nodes", { verb: "patch", resource: "nodes" }],
    ["update nodes", { verb: "update", resource: "nodes" }],
    ["list nodes", { verb: "list", resource: "nodes" }],
    ["patch pods", { verb: "patch", resource: "pods", namespace: "default" }],
    ["read secrets", { verb: "get", resource: "secrets", namespace: "icn-system" }],
    [
      "create events elsewhere",
      { verb: "create", group: "events.k8s.io", resource: "events", namespace: "icn-system" },
    ],
  ])("may not %s", async (_, attributes) => {
    expect(await can(asFunction, attributes)).toBe(false);
  });
});

test("it cannot lift the taint itself, nor read secrets", async () => {
  const node = await core.createNode({
    body: { metadata: { name: uniqueName("kept") }, spec: { taints: [OURS] } },
  });
  const name = node.metadata?.name ?? "";
  const mine = kubeFromConfig(asFunction);
  const untaint = { spec: { taints: null } };
  expect(
    await attempt(() =>
      mine.objects.mergePatch({ apiVersion: "v1", kind: "Node", metadata: { name } }, untaint, "x"),
    ),
  ).toMatchObject({ status: 403 });
  expect(await attempt(() => mine.core.listNamespacedSecret({ namespace: "icn-system" }))).toMatchObject({
    status: 403,
  });
  expect((await core.readNode({ name })).spec?.taints).toEqual([OURS]);
});
