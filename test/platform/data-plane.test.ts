// Proves the embedded platform has a data plane: kube-scheduler places pods, and KWOK, as the kubelet, makes nodes Ready, runs pods, completes deletions and evictions.
import { CoordinationV1Api, CoreV1Api, EventsV1Api, PolicyV1Api, type V1Pod } from "@kubernetes/client-node";
import { eventually, kubeConfig, uniqueName } from "../harness/servers.ts";
import {
  CPU_FEATURES,
  cpuFeatureLabel,
  createNode,
  readyCondition,
  requireSchedulerAndKubelets,
  waitForNodeReady,
} from "../harness/nodes.ts";

const kc = kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const ns = uniqueName("data-plane");
// Only this file's pods tolerate the node's taint, so no other test's pod lands on it.
const taint = { key: "icn-test/data-plane", value: ns, effect: "NoSchedule" };
const capacity = { cpu: "4", memory: "8Gi", pods: "20" };
let nodeName = "";

/** A pod only kube-scheduler can place (no nodeName), allowed only onto this file's node. */
function aPod(labels: Record<string, string> = {}): V1Pod {
  return {
    metadata: { name: uniqueName("pod"), namespace: ns, labels },
    spec: {
      nodeSelector: { "kubernetes.io/hostname": nodeName },
      tolerations: [{ ...taint, operator: "Equal" }],
      containers: [
        {
          name: "app",
          image: "registry.example/app:1",
          resources: { requests: { cpu: "500m", memory: "256Mi" } },
        },
      ],
    },
  };
}

const readPod = (name: string): Promise<V1Pod> => core.readNamespacedPod({ name, namespace: ns });

/** Names the server that should have moved the pod on: the scheduler until it is bound, then the kubelet. */
function stuck(pod: V1Pod, phase: string, timeoutMs: number): Error {
  const on = pod.spec?.nodeName;
  const who = on ? "KWOK (the node's kubelet)" : "kube-scheduler";
  return new Error(
    `pod ${pod.metadata?.name} is ${pod.status?.phase} on ${on ?? "no node"}, not ${phase}, after ${timeoutMs} ms: ` +
      `is ${who} running? conditions: ${JSON.stringify(pod.status?.conditions ?? [])}`,
  );
}

async function waitForPod(name: string, phase: string, timeoutMs = 30_000): Promise<V1Pod> {
  const deadline = Date.now() + timeoutMs;
  for (let pod = await readPod(name); ; pod = await readPod(name)) {
    if (pod.status?.phase === phase) return pod;
    if (Date.now() > deadline) throw stuck(pod, phase, timeoutMs);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function runningPod(labels: Record<string, string> = {}): Promise<V1Pod> {
  const created = await core.createNamespacedPod({ namespace: ns, body: aPod(labels) });
  return waitForPod(created.metadata?.name ?? "", "Running");
}

/** Resolves once the pod is gone from the API; a pod no kubelet finishes stays Terminating. */
async function waitForGone(name: string, timeoutMs = 20_000): Promise<void> {
  await eventually(async () => {
    const pod = await readPod(name).catch((err: unknown) => {
      if ((err as { code?: number }).code === 404) return undefined;
      throw err;
    });
    if (pod)
      throw new Error(
        `pod ${name} is still there (deletionTimestamp ${String(pod.metadata?.deletionTimestamp)}): is kwok running?`,
      );
  }, timeoutMs);
}

beforeAll(async () => {
  requireSchedulerAndKubelets();
  await core.createNamespace({ body: { metadata: { name: ns } } });
  const node = await createNode(core, { capacity, cpuFeatures: [CPU_FEATURES.intelVmx], taints: [taint] });
  nodeName = node.metadata?.name ?? "";
});

afterAll(async () => {
  if (!nodeName) return; // beforeAll failed before the node existed: its error is the one to read
  // Pods first, at once: on a deleted node nothing would finish them.
  await core.deleteCollectionNamespacedPod({ namespace: ns, gracePeriodSeconds: 0 });
  await core.deleteNamespace({ name: ns });
  await core.deleteNode({ name: nodeName });
});

test("a node registered with its capacity and CPU labels turns Ready, declaring that capacity", async () => {
  const ready = await waitForNodeReady(core, nodeName);
  expect(readyCondition(ready)).toMatchObject({ status: "True" });
  expect(ready.status?.capacity).toEqual(capacity);
  expect(ready.status?.allocatable).toEqual(capacity);
  expect(ready.metadata?.labels?.[cpuFeatureLabel(CPU_FEATURES.intelVmx)]).toBe("true");
  // A kubelet's heartbeat: its Lease in kube-node-lease, renewed by the node's holder.
  const lease = await eventually(() =>
    kc.makeApiClient(CoordinationV1Api).readNamespacedLease({ name: nodeName, namespace: "kube-node-lease" }),
  );
  expect(lease.spec?.renewTime).toBeDefined();
});

test("kube-scheduler binds a pod to the node and the pod runs", async () => {
  await waitForNodeReady(core, nodeName);
  const pod = await runningPod();
  expect(pod.spec?.nodeName).toBe(nodeName);
  const conditions = Object.fromEntries((pod.status?.conditions ?? []).map((c) => [c.type, c.status]));
  expect(conditions).toMatchObject({ PodScheduled: "True", Ready: "True" });
  expect(pod.status?.containerStatuses?.[0]?.state?.running).toBeDefined();
  const events = await kc.makeApiClient(EventsV1Api).listNamespacedEvent({
    namespace: ns,
    fieldSelector: `regarding.name=${pod.metadata?.name}`,
  });
  expect(events.items.find((e) => e.reason === "Scheduled")?.reportingController).toBe("default-scheduler");
});

test("deleting a running pod completes within its grace period", async () => {
  await waitForNodeReady(core, nodeName);
  const name = (await runningPod()).metadata?.name ?? "";
  await core.deleteNamespacedPod({ name, namespace: ns });
  await waitForGone(name);
});

test("an eviction through the Eviction API completes when the disruption budget allows it, and is refused when not", async () => {
  await waitForNodeReady(core, nodeName);
  const app = { app: uniqueName("evict") };
  const policy = kc.makeApiClient(PolicyV1Api);
  await policy.createNamespacedPodDisruptionBudget({
    namespace: ns,
    body: { metadata: { name: app.app }, spec: { minAvailable: 1, selector: { matchLabels: app } } },
  });
  const [first, second] = (await Promise.all([runningPod(app), runningPod(app)])).map(
    (p) => p.metadata?.name ?? "",
  );
  // The disruption controller counts the healthy pods: one of two may go.
  await eventually(async () => {
    const pdb = await policy.readNamespacedPodDisruptionBudget({ name: app.app, namespace: ns });
    if (pdb.status?.disruptionsAllowed !== 1) throw new Error(`budget status: ${JSON.stringify(pdb.status)}`);
  });
  const evict = (name = ""): Promise<unknown> =>
    core.createNamespacedPodEviction({ name, namespace: ns, body: { metadata: { name, namespace: ns } } });
  await evict(first);
  await waitForGone(first ?? "");
  await expect(evict(second)).rejects.toMatchObject({ code: 429 });
  expect((await readPod(second ?? "")).status?.phase).toBe("Running");
});
