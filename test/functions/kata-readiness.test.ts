// Kata readiness end to end: label-kata-node taints a capable node, untaint-kata-node lifts only that taint once
// kata-deploy's label is there (the test plays kata-deploy), report-kata-failure warns when it never comes.
import { CoreV1Api, EventsV1Api, type V1Node, type V1Taint } from "@kubernetes/client-node";
import type { NatsConnection } from "@nats-io/transport-node";
import { labelKataNode } from "../../functions/label-kata-node/index.ts";
import { reportKataFailure } from "../../functions/report-kata-failure/index.ts";
import { FIELD_MANAGER, untaintKataNode } from "../../functions/untaint-kata-node/index.ts";
import { isIcnError } from "../../shared/errors.ts";
import { patchNode, removeNotReadyTaint } from "../../shared/kata-node.ts";
import { kubeFromConfig } from "../../shared/kube.ts";
import { kubeConfig, natsConnection, uniqueName } from "../harness/servers.ts";
import { functionRig, type FunctionRig } from "./support.ts";

const kc = kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const OURS: V1Taint = { key: "icn.akraino.org/kata-not-ready", effect: "NoSchedule" };
// Other managers' taints, as a cloud or an operator would set them: none of them is ours to drop.
const DEDICATED: V1Taint = { key: "dedicated", value: "edge", effect: "NoSchedule" };
const GPU: V1Taint = { key: "nvidia.com/gpu", value: "present", effect: "PreferNoSchedule" };
const VMX = { "kubernetes.io/arch": "amd64", "feature.node.kubernetes.io/cpu-cpuid.VMX": "true" };
const DEADLINE_MS = 1500;
let nc: NatsConnection;
let rig: FunctionRig;

beforeAll(async () => {
  nc = await natsConnection();
  rig = await functionRig(nc, [
    labelKataNode({ shims: ["qemu", "clh"] }),
    untaintKataNode(),
    // A short deadline, and no clock skew forgiven: the test's clocks are one.
    reportKataFailure({ installDeadlineMs: DEADLINE_MS, clockSkewMs: 0 }),
  ]);
});
afterAll(async () => {
  await rig.stop();
  await nc.close();
});

async function aNode(labels: Record<string, string>, taints: V1Taint[] = []): Promise<V1Node> {
  return core.createNode({ body: { metadata: { name: uniqueName("kr"), labels }, spec: { taints } } });
}
const nameOf = (node: V1Node): string => node.metadata?.name ?? "";
const read = (node: V1Node): Promise<V1Node> => core.readNode({ name: nameOf(node) });
const taintsOf = async (node: V1Node): Promise<V1Taint[]> =>
  (await read(node)).spec?.taints?.map(({ key, value, effect }) => ({ key, value, effect })) ?? [];
const taintedAt = async (node: V1Node): Promise<string | undefined> =>
  (await read(node)).metadata?.annotations?.["icn.akraino.org/kata-tainted-at"];

/** A capable node as label-kata-node leaves it: labelled enabled and tainted. */
async function joined(labels: Record<string, string>, taints: V1Taint[] = []): Promise<V1Node> {
  const node = await aNode(labels, taints);
  const { outcome } = await rig.send("node.joined", { node: nameOf(node) }, "label-kata-node");
  expect(outcome).toMatchObject({ state: "succeeded" });
  return read(node);
}
/** The test plays kata-deploy: nothing under functions/ ever writes this label. */
async function kataDeployFinishes(node: V1Node): Promise<void> {
  const path = "/metadata/labels/katacontainers.io~1kata-runtime";
  await core.patchNode({ name: nameOf(node), body: [{ op: "add", path, value: "true" }] });
}
async function nodeEvents(node: V1Node): Promise<{ reason?: string; type?: string; note?: string }[]> {
  const events = await kc.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: "default" });
  return events.items.filter((e) => e.regarding?.uid === node.metadata?.uid);
}

describe("label-kata-node's startup taint", () => {
  test("a capable node gets the label and our taint, and every taint it had survives", async () => {
    const before = Date.now();
    const node = await joined({ ...VMX, "katacontainers.io/kata-runtime": "false" }, [DEDICATED, GPU]);
    expect(node.metadata?.labels?.["icn.akraino.org/kata"]).toBe("enabled");
    expect(await taintsOf(node)).toEqual([DEDICATED, GPU, OURS]);
    const stamp = Date.parse((await taintedAt(node)) ?? "");
    expect(stamp).toBeGreaterThanOrEqual(before - 1000);
    expect(stamp).toBeLessThanOrEqual(Date.now());
    expect(node.metadata?.labels?.["katacontainers.io/kata-runtime"]).toBe("false");
  });

  test("an incapable node gets no taint", async () => {
    const node = await joined({ "kubernetes.io/arch": "amd64" }, [DEDICATED]);
    expect(node.metadata?.labels?.["icn.akraino.org/kata"]).toBe("unsupported");
    expect(await taintsOf(node)).toEqual([DEDICATED]);
    expect(await taintedAt(node)).toBeUndefined();
  });

  test("a node kata-deploy already made ready gets no taint", async () => {
    const node = await joined({ ...VMX, "katacontainers.io/kata-runtime": "true" });
    expect(await taintsOf(node)).toEqual([]);
  });

  test("a replay changes nothing: same taints, same time, same resourceVersion", async () => {
    const node = await joined(VMX, [DEDICATED]);
    const again = await rig.send("node.joined", { node: nameOf(node) }, "label-kata-node", { replay: true });
    expect(again.outcome).toMatchObject({ state: "succeeded", replay: true });
    const after = await read(node);
    expect(after.metadata?.resourceVersion).toBe(node.metadata?.resourceVersion);
    expect(after.metadata?.annotations).toEqual(node.metadata?.annotations);
  });

  test("a taint write based on an outdated read is refused by the apiserver (409), not merged over a change", async () => {
    const node = await joined(VMX);
    // Another manager taints the node after our read.
    await core.patchNode({
      name: nameOf(node),
      body: [{ op: "add", path: "/spec/taints/-", value: DEDICATED }],
    });
    const stale = removeNotReadyTaint(node);
    const refused = await patchNode(kubeFromConfig(kc), node, stale!, FIELD_MANAGER).catch(
      (err: unknown) => err,
    );
    expect(isIcnError(refused) && refused).toMatchObject({ code: "KUBE_CONFLICT", retryable: true });
    expect(await taintsOf(node)).toEqual([OURS, DEDICATED]);
  });
});

describe("untaint-kata-node", () => {
  test("once kata-deploy labels the node ready, removes only our taint and says it is schedulable", async () => {
    const node = await joined(VMX, [DEDICATED, GPU]);
    await kataDeployFinishes(node);
    const { event, outcome } = await rig.send(
      "node.kata-ready",
      { node: nameOf(node), uid: node.metadata?.uid },
      "untaint-kata-node",
    );
    expect(outcome).toMatchObject({ state: "succeeded" });
    expect(await taintsOf(node)).toEqual([DEDICATED, GPU]);
    expect(await taintedAt(node)).toBeUndefined();
    const [result] = await rig.results(event.id, "node.kata-schedulable");
    expect(result?.data).toMatchObject({
      node: nameOf(node),
      reason: expect.stringContaining("removed") as string,
    });
    expect(await nodeEvents(node)).toEqual(
      expect.arrayContaining([expect.objectContaining({ reason: "KataReady", type: "Normal" })]),
    );

    const rv = (await read(node)).metadata?.resourceVersion;
    const again = await rig.send("node.kata-ready", { node: nameOf(node) }, "untaint-kata-node", {
      id: event.id,
      replay: true,
    });
    expect(again.outcome).toMatchObject({ state: "succeeded" });
    expect((await read(node)).metadata?.resourceVersion).toBe(rv);
    expect((await nodeEvents(node)).filter((e) => e.reason === "KataReady")).toHaveLength(1);
  });

  test("refuses while kata-deploy's label is not true, and the taint stays", async () => {
    const node = await joined({ ...VMX, "katacontainers.io/kata-runtime": "false" });
    const { outcome } = await rig.send("node.kata-ready", { node: nameOf(node) }, "untaint-kata-node");
    expect(outcome).toMatchObject({
      state: "rejected",
      error: { code: "KATA_NOT_READY", message: expect.stringContaining("kata-runtime=false") as string },
    });
    expect(await taintsOf(node)).toEqual([OURS]);
  });

  test("refuses a hint about a node that was replaced", async () => {
    const node = await joined(VMX);
    const { outcome } = await rig.send(
      "node.kata-ready",
      { node: nameOf(node), uid: "00000000-0000-0000-0000-000000000000" },
      "untaint-kata-node",
    );
    expect(outcome).toMatchObject({ state: "rejected", error: { code: "NOT_FOUND" } });
    expect(await taintsOf(node)).toEqual([OURS]);
  });
});

describe("report-kata-failure", () => {
  test("past the deadline and still not ready: a Warning Event and node.kata-failed; the taint stays", async () => {
    const node = await joined(VMX, [DEDICATED]);
    await new Promise((r) => setTimeout(r, DEADLINE_MS + 200));
    const data = { node: nameOf(node), uid: node.metadata?.uid };
    const { event, outcome } = await rig.send("node.kata-overdue", data, "report-kata-failure");
    expect(outcome).toMatchObject({ state: "succeeded" });
    const [result] = await rig.results(event.id, "node.kata-failed");
    expect(result?.data).toEqual({
      node: nameOf(node),
      taintedAt: await taintedAt(node),
      reason: expect.stringContaining("not labelled katacontainers.io/kata-runtime=true") as string,
    });
    expect(await taintsOf(node)).toEqual([DEDICATED, OURS]);
    const warnings = (await nodeEvents(node)).filter((e) => e.reason === "KataInstallOverdue");
    expect(warnings).toEqual([expect.objectContaining({ type: "Warning" })]);

    // A second hint about the same taint (a restarted watcher) is answered again, but warns once.
    const second = await rig.send("node.kata-overdue", data, "report-kata-failure");
    expect(second.outcome).toMatchObject({ state: "succeeded" });
    expect((await nodeEvents(node)).filter((e) => e.reason === "KataInstallOverdue")).toHaveLength(1);
  });

  test("a node that became ready meanwhile is left alone: rejected as stale, no Warning", async () => {
    const node = await joined(VMX);
    await kataDeployFinishes(node);
    await new Promise((r) => setTimeout(r, DEADLINE_MS + 200));
    const { outcome } = await rig.send("node.kata-overdue", { node: nameOf(node) }, "report-kata-failure");
    expect(outcome).toMatchObject({
      state: "rejected",
      error: { code: "STALE_HINT", message: expect.stringContaining("kata-runtime=true since") as string },
    });
    expect((await nodeEvents(node)).filter((e) => e.type === "Warning")).toEqual([]);
  });

  test("a hint before the deadline is rejected as stale", async () => {
    const node = await joined(VMX);
    const { outcome } = await rig.send("node.kata-overdue", { node: nameOf(node) }, "report-kata-failure");
    expect(outcome).toMatchObject({
      state: "rejected",
      error: { code: "STALE_HINT", message: expect.stringContaining("is not overdue before") as string },
    });
  });
});
