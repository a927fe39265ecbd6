// untaint-kata-node with its own ServiceAccount's token: lifts the startup taint from a ready node, and can do nothing else.
import { CoreV1Api, EventsV1Api, type KubeConfig } from "@kubernetes/client-node";
import type { NatsConnection } from "@nats-io/transport-node";
import { untaintKataNode } from "../../functions/untaint-kata-node/index.ts";
import { kubeFromConfig } from "../../shared/kube.ts";
import { kubeConfig, natsConnection, uniqueName } from "../harness/servers.ts";
import { functionRig, type FunctionRig } from "../functions/support.ts";
import { applyBaseRbac, attempt, can, serviceAccountConfig } from "./identities.ts";

const admin = kubeConfig();
const core = admin.makeApiClient(CoreV1Api);
const OURS = { key: "icn.akraino.org/kata-not-ready", effect: "NoSchedule" };
const DEDICATED = { key: "dedicated", value: "edge", effect: "NoSchedule" };
let asFunction: KubeConfig;
let nc: NatsConnection;
let rig: FunctionRig;

beforeAll(async () => {
  await applyBaseRbac();
  asFunction = await serviceAccountConfig("untaint-kata-node");
  nc = await natsConnection();
  rig = await functionRig(nc, [untaintKataNode()], kubeFromConfig(asFunction));
});
afterAll(async () => {
  await rig.stop();
  await nc.close();
});

test("removes our taint from a node kata-deploy labelled ready, keeps the others, and records an Event", async () => {
  const labels = { "icn.akraino.org/kata": "enabled", "katacontainers.io/kata-runtime": "true" };
  const annotations = { "icn.akraino.org/kata-tainted-at": new Date().toISOString() };
  const node = await core.createNode({
    body: {
      metadata: { name: uniqueName("ready"), labels, annotations },
      spec: { taints: [DEDICATED, OURS] },
    },
  });
  const name = node.metadata?.name ?? "";
  const { event, outcome } = await rig.send("node.kata-ready", { node: name }, "untaint-kata-node");
  expect(outcome).toMatchObject({ state: "succeeded" });
  const after = await core.readNode({ name });
  expect(after.spec?.taints).toEqual([DEDICATED]);
  expect(after.metadata?.annotations?.["icn.akraino.org/kata-tainted-at"]).toBeUndefined();
  const events = await admin.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: "default" });
  expect(events.items.some((e) => e.regarding?.uid === node.metadata?.uid && e.reason === "KataReady")).toBe(
    true,
  );
  expect(await rig.results(event.id, "node.kata-schedulable")).toHaveLength(1);
});

describe("the apiserver allows exactly what it uses", () => {
  test.each([
    ["get nodes", { verb: "get", resource: "nodes" }],
    ["patch nodes", { verb: "patch", resource: "nodes" }],
    [
      "create events in default",
      { verb: "create", group: "events.k8s.io", resource: "events", namespace: "default" },
    ],
  ])("may %s", async (_, attributes) => {
    expect(await can(asFunction, attributes)).toBe(true);
  });

  test.each([
    ["list nodes", { verb: "list", resource: "nodes" }],
    ["delete nodes", { verb: "delete", resource: "nodes" }],
    ["patch a node's status", { verb: "patch", resource: "nodes", subresource: "status" }],
    ["patch pods", { verb: "patch", resource: "pods", namespace: "default" }],
    ["read secrets", { verb: "get", resource: "secrets", namespace: "icn-system" }],
    [
      "change a RuntimeClass",
      { verb: "patch", group: "node.k8s.io", resource: "runtimeclasses", name: "kata-qemu" },
    ],
    [
      "create events elsewhere",
      { verb: "create", group: "events.k8s.io", resource: "events", namespace: "icn-system" },
    ],
  ])("may not %s", async (_, attributes) => {
    expect(await can(asFunction, attributes)).toBe(false);
  });
});

test("what it must not do is refused: reading secrets, touching pods, deleting the node", async () => {
  const mine = asFunction.makeApiClient(CoreV1Api);
  const node = await core.createNode({ body: { metadata: { name: uniqueName("kept") } } });
  expect(await attempt(() => mine.listNamespacedSecret({ namespace: "icn-system" }))).toMatchObject({
    status: 403,
  });
  expect(await attempt(() => mine.listPodForAllNamespaces())).toMatchObject({ status: 403 });
  expect(await attempt(() => mine.deleteNode({ name: node.metadata?.name ?? "" }))).toMatchObject({
    status: 403,
  });
  expect((await core.readNode({ name: node.metadata?.name ?? "" })).metadata?.uid).toBe(node.metadata?.uid);
});
