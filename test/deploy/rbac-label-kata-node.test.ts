// label-kata-node with its own ServiceAccount's token: labels and taints a node, ensures RuntimeClasses, and can do nothing else.
import { CoreV1Api, EventsV1Api, NodeV1Api, type KubeConfig } from "@kubernetes/client-node";
import type { NatsConnection } from "@nats-io/transport-node";
import { labelKataNode, optionsFromEnv } from "../../functions/label-kata-node/index.ts";
import { kubeFromConfig } from "../../shared/kube.ts";
import { kubeConfig, natsConnection, uniqueName } from "../harness/servers.ts";
import { functionRig, type FunctionRig } from "../functions/support.ts";
import { applyBaseRbac, applySharedPolicies, attempt, can, serviceAccountConfig } from "./identities.ts";

const admin = kubeConfig();
const core = admin.makeApiClient(CoreV1Api);
const VMX = { "kubernetes.io/arch": "amd64", "feature.node.kubernetes.io/cpu-cpuid.VMX": "true" };
let asFunction: KubeConfig;
let nc: NatsConnection;
let rig: FunctionRig;

beforeAll(async () => {
  await applyBaseRbac();
  // The RuntimeClasses are the platform's (managed): only the platform's identities may update them.
  await applySharedPolicies();
  asFunction = await serviceAccountConfig("label-kata-node");
  nc = await natsConnection();
  // The options the Deployment runs with: config.env sets no ICN_KATA_SHIMS beyond the defaults.
  rig = await functionRig(nc, [labelKataNode(optionsFromEnv({}))], kubeFromConfig(asFunction));
});
afterAll(async () => {
  await rig.stop();
  await nc.close();
});

test("labels a capable node, ensures the Kata RuntimeClasses and records an Event", async () => {
  const node = await core.createNode({ body: { metadata: { name: uniqueName("node"), labels: VMX } } });
  const name = node.metadata?.name ?? "";
  const { event, outcome } = await rig.send("node.joined", { node: name }, "label-kata-node");
  expect(outcome).toMatchObject({ state: "succeeded" });
  const labelled = await core.readNode({ name });
  expect(labelled.metadata?.labels).toMatchObject({ "icn.akraino.org/kata": "enabled" });
  // The startup taint, by a merge patch of the node (the same patch verb).
  expect(labelled.spec?.taints).toEqual([{ key: "icn.akraino.org/kata-not-ready", effect: "NoSchedule" }]);
  const classes = await admin.makeApiClient(NodeV1Api).listRuntimeClass();
  expect(classes.items.map((rc) => rc.metadata?.name)).toEqual(
    expect.arrayContaining(["kata-qemu", "kata-clh"]),
  );
  const events = await admin.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: "default" });
  expect(events.items.some((e) => e.regarding?.name === name && e.reason === "KataEnabled")).toBe(true);
  expect(await rig.results(event.id, "node.kata-enabled")).toHaveLength(1);
});

describe("the apiserver allows exactly what it uses", () => {
  test.each([
    ["get nodes", { verb: "get", resource: "nodes" }],
    ["patch nodes", { verb: "patch", resource: "nodes" }],
    [
      "create kata-qemu",
      { verb: "create", group: "node.k8s.io", resource: "runtimeclasses", name: "kata-qemu" },
    ],
    ["patch kata-clh", { verb: "patch", group: "node.k8s.io", resource: "runtimeclasses", name: "kata-clh" }],
    [
      "create events in default",
      { verb: "create", group: "events.k8s.io", resource: "events", namespace: "default" },
    ],
  ])("may %s", async (_, attributes) => {
    expect(await can(asFunction, attributes)).toBe(true);
  });

  test.each([
    ["list pods", { verb: "list", resource: "pods" }],
    ["patch pods", { verb: "patch", resource: "pods", namespace: "default" }],
    ["delete nodes", { verb: "delete", resource: "nodes" }],
    ["list nodes", { verb: "list", resource: "nodes" }],
    [
      "patch the runc RuntimeClass",
      { verb: "patch", group: "node.k8s.io", resource: "runtimeclasses", name: "runc" },
    ],
    ["read secrets", { verb: "get", resource: "secrets", namespace: "icn-system" }],
    [
      "create events elsewhere",
      { verb: "create", group: "events.k8s.io", resource: "events", namespace: "icn-system" },
    ],
  ])("may not %s", async (_, attributes) => {
    expect(await can(asFunction, attributes)).toBe(false);
  });
});

describe("what it must not do is refused", () => {
  test("touching pods", async () => {
    const ns = "default";
    const pod = {
      metadata: { name: uniqueName("pod"), namespace: ns },
      spec: { containers: [{ name: "a", image: "x" }] },
    };
    const created = await core.createNamespacedPod({ namespace: ns, body: pod });
    const mine = asFunction.makeApiClient(CoreV1Api);
    const name = created.metadata?.name ?? "";
    expect(await attempt(() => mine.readNamespacedPod({ name, namespace: ns }))).toMatchObject({
      status: 403,
    });
    expect(await attempt(() => mine.listPodForAllNamespaces())).toMatchObject({ status: 403 });
    expect(await attempt(() => mine.deleteNamespacedPod({ name, namespace: ns }))).toMatchObject({
      status: 403,
    });
    expect((await core.readNamespacedPod({ name, namespace: ns })).metadata?.uid).toBe(created.metadata?.uid);
  });

  test("deleting a node, or a RuntimeClass that is not the platform's", async () => {
    const node = await core.createNode({ body: { metadata: { name: uniqueName("node") } } });
    const name = node.metadata?.name ?? "";
    const mine = kubeFromConfig(asFunction);
    expect(await attempt(() => mine.core.deleteNode({ name }))).toMatchObject({ status: 403 });
    const runc = {
      apiVersion: "node.k8s.io/v1",
      kind: "RuntimeClass",
      metadata: { name: uniqueName("runc") },
      handler: "runc",
    };
    const applied = attempt(() => mine.objects.serverSideApply(runc, { fieldManager: "t" }));
    expect(await applied).toMatchObject({ status: 403 });
  });
});
