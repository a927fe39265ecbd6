// Quarantine meets pods that really run (issue 16 §4): on nodes KWOK keeps as their kubelet, the pod
// watcher finds runc pods Running on a node, and evict and delete remove them for good, not merely mark
// them for deletion.
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { CoreV1Api, type V1Pod } from "@kubernetes/client-node";
import { quarantineRuncPod, type QuarantineOptions } from "../../functions/quarantine-runc-pod/index.ts";
import { tokenBucket } from "../../functions/quarantine-runc-pod/rate-limit.ts";
import { subjectOf } from "../../schemas/events.ts";
import { TENANT_LABEL } from "../../schemas/names.ts";
import { newEvent, publishEvent } from "../../shared/events.ts";
import type { Host } from "../../shared/host/host.ts";
import { kataRuntimeFromEnv } from "../../shared/kata.ts";
import { kubeFromConfig } from "../../shared/kube.ts";
import { createLogger } from "../../shared/logging.ts";
import { startWatchers, watcherOptionsFromEnv, type Watchers } from "../../shared/sources/index.ts";
import { applyBaseRbac } from "../deploy/identities.ts";
import { createNode, requireSchedulerAndKubelets, waitForNodeReady } from "../harness/nodes.ts";
import { kubeConfig, natsConnection, uniqueName } from "../harness/servers.ts";
import { startTestHost, streamMessages, testConfig, waitForOutcome, waitUntil } from "../runtime/support.ts";

const kc = kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
let nc: NatsConnection;
let node: string;
const hosts: Host[] = [];
const watching: Watchers[] = [];

/**
 * This suite's node is its own: other suites leave hundreds of unschedulable pods behind, which would
 * fill any untainted Ready node the moment it appears.
 */
const OWN_NODE = { key: "icn-test/quarantine-running-pods", value: uniqueName("run"), effect: "NoSchedule" };

const quarantine = (action: QuarantineOptions["action"]): ReturnType<typeof quarantineRuncPod> =>
  quarantineRuncPod({ action, dryRun: false, kata: kataRuntimeFromEnv({}), limiter: tokenBucket(600, 100) });

/** A runc pod pinned to this suite's node, Running there, in a namespace that then becomes a tenant's. */
async function runningRuncPodInTenant(): Promise<V1Pod> {
  const namespace = uniqueName("qrun");
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  const created = await core.createNamespacedPod({
    namespace,
    body: {
      metadata: { name: uniqueName("legacy") },
      spec: {
        nodeSelector: { "kubernetes.io/hostname": node },
        tolerations: [{ ...OWN_NODE, operator: "Equal" }],
        containers: [{ name: "c", image: "registry.example/legacy:1" }],
      },
    },
  });
  const name = created.metadata?.name ?? "";
  const running = await waitUntil(`pod ${namespace}/${name} Running on ${node}`, async () => {
    const pod = await core.readNamespacedPod({ name, namespace });
    return pod.status?.phase === "Running" ? pod : undefined;
  });
  // The Kata floor refuses new runc pods in tenant namespaces: this one predates the tenant, as after an adoption.
  const path = `/metadata/labels/${TENANT_LABEL.replace("/", "~1")}`;
  await core.patchNamespace({ name: namespace, body: [{ op: "add", path, value: namespace }] });
  return running;
}

const gone = (pod: V1Pod): Promise<true | undefined> =>
  core.readNamespacedPod({ name: pod.metadata?.name ?? "", namespace: pod.metadata?.namespace ?? "" }).then(
    () => undefined,
    (err: { code?: number }) => (err.code === 404 ? true : undefined),
  );

beforeAll(async () => {
  requireSchedulerAndKubelets();
  // The platform as installed: quarantine's claims live in its namespace.
  await applyBaseRbac();
  nc = await natsConnection();
  node = (await createNode(core, { name: uniqueName("runc-node"), taints: [OWN_NODE] })).metadata?.name ?? "";
  await waitForNodeReady(core, node);
});
afterAll(async () => {
  for (const w of watching) await w.stop();
  for (const h of hosts) await h.drain();
  await core.deleteNode({ name: node }).catch(() => undefined);
  await nc.close();
});

test.each(["evict", "delete"] as const)(
  "%s removes a runc pod Running on a node: the kubelet finishes the termination",
  async (action) => {
    const pod = await runningRuncPodInTenant();
    expect(pod.spec?.nodeName).toBe(node);
    const config = testConfig();
    const host = await startTestHost(nc, config, [quarantine(action)]);
    hosts.push(host);
    const unsafe = newEvent({
      name: "pod.unsafe",
      source: "urn:test:running-pods",
      data: {
        namespace: pod.metadata?.namespace ?? "",
        pod: pod.metadata?.name ?? "",
        uid: pod.metadata?.uid,
      },
    });
    await publishEvent(jetstream(nc), config.prefix, unsafe);
    expect(await waitForOutcome(host, unsafe, "quarantine-runc-pod", ["succeeded"])).toMatchObject({
      state: "succeeded",
    });
    // Not only marked for deletion: gone from the API, which needs the node's kubelet to confirm it stopped.
    expect(await waitUntil(`${action}ed pod gone`, () => gone(pod))).toBe(true);
  },
);

test("the pod watcher finds a runc pod Running on a node, and quarantine evicts it end to end", async () => {
  const pod = await runningRuncPodInTenant();
  const namespace = pod.metadata?.namespace ?? "";
  const config = testConfig();
  hosts.push(await startTestHost(nc, config, [quarantine("evict")]));
  const watchers = await startWatchers({
    kube: kubeFromConfig(kc),
    js: jetstream(nc),
    config,
    log: createLogger("test-running-pods", process.env.ICN_LOG_LEVEL ?? "silent"),
    options: {
      ...watcherOptionsFromEnv({}),
      watchers: ["pod-watcher"],
      namespaceSelector: `${TENANT_LABEL}=${namespace}`,
    },
  });
  watching.push(watchers);
  await watchers.synced;
  expect(await waitUntil("the evicted pod gone", () => gone(pod))).toBe(true);
  await watchers.idle();
  const reports = await streamMessages(nc, config.eventsStream, subjectOf(config.prefix, "pod.unsafe"));
  expect(reports.map((m) => JSON.parse(new TextDecoder().decode(m.data)) as unknown)).toEqual([
    expect.objectContaining({ namespace, pod: pod.metadata?.name, uid: pod.metadata?.uid }),
  ]);
});
