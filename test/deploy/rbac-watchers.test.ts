// The watchers and the ingress with their own ServiceAccounts: the watchers read (and only read), the ingress has nothing.
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { startWatchers, watcherOptionsFromEnv, type WatcherName } from "../../shared/sources/index.ts";
import { subjectOf, type EventName } from "../../schemas/events.ts";
import { kubeFromConfig } from "../../shared/kube.ts";
import { createLogger } from "../../shared/logging.ts";
import { kubeConfig, natsConnection, uniqueName } from "../harness/servers.ts";
import { streamMessages, testConfig, waitUntil } from "../runtime/support.ts";
import { applyBaseRbac, attempt, can, serviceAccountConfig } from "./identities.ts";

const admin = kubeConfig();
const core = admin.makeApiClient(CoreV1Api);
const as: Partial<Record<WatcherName | "ingress", KubeConfig>> = {};
const stops: (() => Promise<void>)[] = [];
let nc: NatsConnection;

beforeAll(async () => {
  await applyBaseRbac();
  for (const name of ["node-watcher", "pod-watcher", "ingress"] as const)
    as[name] = await serviceAccountConfig(name);
  nc = await natsConnection();
});
afterAll(async () => {
  for (const stop of stops) await stop();
  await nc.close();
});

/** Runs one real watcher with its ServiceAccount's token; resolves with where it publishes. */
async function runWatcher(name: WatcherName): Promise<{ stream: string; prefix: string }> {
  const config = testConfig();
  const watchers = await startWatchers({
    kube: kubeFromConfig(as[name]!),
    js: jetstream(nc),
    config,
    log: createLogger(name, "silent"),
    options: watcherOptionsFromEnv({ ICN_WATCHERS: name }),
  });
  stops.push(() => watchers.stop());
  await watchers.synced;
  return { stream: config.eventsStream, prefix: config.prefix };
}

async function published(
  at: { stream: string; prefix: string },
  name: EventName,
  match: string,
): Promise<void> {
  await waitUntil(`${name} for ${match}`, async () => {
    const messages = await streamMessages(nc, at.stream, subjectOf(at.prefix, name));
    return messages.some((m) => new TextDecoder().decode(m.data).includes(match)) || undefined;
  });
}

test("node-watcher lists and watches nodes with its own token, and publishes node.joined", async () => {
  const at = await runWatcher("node-watcher");
  const node = await core.createNode({ body: { metadata: { name: uniqueName("joined") } } });
  await published(at, "node.joined", node.metadata?.name ?? "");
});

test("pod-watcher lists and watches tenant namespaces and pods with its own token, and publishes pod.unsafe", async () => {
  const at = await runWatcher("pod-watcher");
  const namespace = uniqueName("watched");
  // A runc pod from before the namespace became a tenant's: the Kata floor refuses new ones.
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  const body = { metadata: { name: uniqueName("runc") }, spec: { containers: [{ name: "c", image: "x" }] } };
  const pod = await core.createNamespacedPod({ namespace, body });
  const path = "/metadata/labels/icn.akraino.org~1tenant";
  await core.patchNamespace({ name: namespace, body: [{ op: "add", path, value: namespace }] });
  await published(at, "pod.unsafe", pod.metadata?.name ?? "");
});

describe.each([
  [
    "node-watcher",
    [
      { verb: "list", resource: "nodes" },
      { verb: "watch", resource: "nodes" },
    ],
  ],
  [
    "pod-watcher",
    [
      { verb: "list", resource: "pods" },
      { verb: "watch", resource: "pods" },
      { verb: "list", resource: "namespaces" },
      { verb: "watch", resource: "namespaces" },
      { verb: "list", group: "node.k8s.io", resource: "runtimeclasses" },
      { verb: "watch", group: "node.k8s.io", resource: "runtimeclasses" },
    ],
  ],
] as const)("%s", (name, allowed) => {
  test.each(allowed.map((a) => [`${a.verb} ${a.resource}`, a]))("may %s", async (_, attributes) => {
    expect(await can(as[name]!, attributes)).toBe(true);
  });

  test.each([
    ["patch nodes", { verb: "patch", resource: "nodes" }],
    ["patch pods", { verb: "patch", resource: "pods", namespace: "t" }],
    ["delete pods", { verb: "delete", resource: "pods", namespace: "t" }],
    ["read secrets", { verb: "get", resource: "secrets", namespace: "icn-system" }],
    ["create events", { verb: "create", group: "events.k8s.io", resource: "events", namespace: "default" }],
    ["change a RuntimeClass", { verb: "patch", group: "node.k8s.io", resource: "runtimeclasses" }],
  ])("may not %s", async (_, attributes) => {
    expect(await can(as[name]!, attributes)).toBe(false);
  });
});

test("node-watcher cannot list pods, pod-watcher cannot list nodes", async () => {
  const nodeWatcher = as["node-watcher"]!.makeApiClient(CoreV1Api);
  const podWatcher = as["pod-watcher"]!.makeApiClient(CoreV1Api);
  expect(await attempt(() => nodeWatcher.listPodForAllNamespaces())).toMatchObject({ status: 403 });
  expect(await attempt(() => podWatcher.listNode())).toMatchObject({ status: 403 });
});

test("the ingress' ServiceAccount may do nothing at all in the cluster", async () => {
  const ingress = as.ingress!;
  for (const attributes of [
    { verb: "list", resource: "pods" },
    { verb: "get", resource: "configmaps", namespace: "icn-system" },
    { verb: "list", resource: "nodes" },
    { verb: "create", group: "events.k8s.io", resource: "events", namespace: "icn-system" },
  ])
    expect(await can(ingress, attributes)).toBe(false);
});
