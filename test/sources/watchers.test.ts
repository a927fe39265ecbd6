// The watchers end to end: objects appear in the apiserver, events reach the bus, the functions act on them.
import { CoreV1Api, NetworkingV1Api, type KubernetesObject, type V1Pod } from "@kubernetes/client-node";
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { runtimeClass } from "../../functions/label-kata-node/runtime-classes.ts";
import { labelKataNode } from "../../functions/label-kata-node/index.ts";
import {
  optionsFromEnv as provisionOptions,
  provisionTenant,
} from "../../functions/provision-tenant/index.ts";
import { quarantineRuncPod } from "../../functions/quarantine-runc-pod/index.ts";
import { tokenBucket } from "../../functions/quarantine-runc-pod/rate-limit.ts";
import {
  NODE_WATCHER,
  POD_WATCHER,
  startWatchers,
  type Watchers,
  type WatcherOptions,
} from "../../shared/sources/index.ts";
import { subjectOf, type EventName } from "../../schemas/events.ts";
import { ADOPT_LABEL } from "../../schemas/names.ts";
import type { RuntimeConfig } from "../../shared/config.ts";
import { newEvent, publishEvent, stableId } from "../../shared/events.ts";
import { kataRuntimeFromEnv } from "../../shared/kata.ts";
import type { Host } from "../../shared/host/host.ts";
import { apply } from "../../shared/kube-apply.ts";
import { kubeFromConfig } from "../../shared/kube.ts";
import { createLogger } from "../../shared/logging.ts";
import { eventually, kubeConfig, natsConnection, uniqueName } from "../harness/servers.ts";
import { killAll, spawnNode } from "../harness/processes.ts";
import {
  startTestHost,
  streamMessages,
  testConfig,
  waitForOutcome,
  waitUntil,
  type StoredMessage,
} from "../runtime/support.ts";

const kc = kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const kube = kubeFromConfig(kc);
const log = createLogger("test-watchers", process.env.ICN_LOG_LEVEL ?? "silent");
// Each test watches only its own nodes and namespaces: other suites share the apiserver.
const RUN_LABEL = "icn-test/watchers";
const VMX = { "kubernetes.io/arch": "amd64", "feature.node.kubernetes.io/cpu-cpuid.VMX": "true" };
let nc: NatsConnection;
const hosts: Host[] = [];
const running: Watchers[] = [];

const scope = (overrides: Partial<WatcherOptions>): WatcherOptions => ({
  watchers: ["node-watcher", "pod-watcher"],
  kata: kataRuntimeFromEnv({}),
  nodeSelector: `${RUN_LABEL}=${uniqueName("none")}`,
  kataInstallDeadlineMs: 600_000,
  namespaceSelector: `icn.akraino.org/tenant=${uniqueName("none")}`,
  ...overrides,
});
async function watch(config: RuntimeConfig, options: WatcherOptions): Promise<Watchers> {
  const watchers = await startWatchers({ kube, js: jetstream(nc), config, log, options });
  running.push(watchers);
  await watchers.synced;
  return watchers;
}
async function host(config: RuntimeConfig, functions: Parameters<typeof startTestHost>[2]): Promise<Host> {
  const started = await startTestHost(nc, config, functions);
  hosts.push(started);
  return started;
}
const messages = (config: RuntimeConfig, name: EventName): Promise<StoredMessage[]> =>
  streamMessages(nc, config.eventsStream, subjectOf(config.prefix, name));
const dataOf = (m: StoredMessage | undefined): Record<string, unknown> =>
  JSON.parse(new TextDecoder().decode(m?.data)) as Record<string, unknown>;
const aPod = (namespace: string, name: string, runtimeClassName?: string): Promise<V1Pod> =>
  core.createNamespacedPod({
    namespace,
    body: {
      metadata: { name },
      spec: { runtimeClassName, containers: [{ name: "c", image: "registry.example/legacy:1" }] },
    },
  });
/** Makes pods in a fresh namespace, then labels it a tenant's (the Kata floor refuses new runc pods there). */
async function inNewTenant<T>(prefix: string, makePods: (namespace: string) => Promise<T>): Promise<T> {
  const name = uniqueName(prefix);
  await core.createNamespace({ body: { metadata: { name } } });
  const pods = await makePods(name);
  const path = "/metadata/labels/icn.akraino.org~1tenant";
  await core.patchNamespace({ name, body: [{ op: "add", path, value: name }] });
  return pods;
}
const labelOf = async (pod: V1Pod, key: string): Promise<string | undefined> =>
  (await core.readNamespacedPod({ name: pod.metadata?.name ?? "", namespace: pod.metadata?.namespace ?? "" }))
    .metadata?.labels?.[key];

beforeAll(async () => {
  nc = await natsConnection();
  for (const shim of ["qemu", "clh"]) await apply(kube, runtimeClass(shim), "test-setup");
  await apply(
    kube,
    {
      apiVersion: "node.k8s.io/v1",
      kind: "RuntimeClass",
      metadata: { name: "runc" },
      handler: "runc",
    } as KubernetesObject,
    "test-setup",
  );
});
afterEach(killAll);
afterAll(async () => {
  for (const w of running) await w.stop();
  for (const h of hosts) await h.drain();
  await nc.close();
});

test("a new Node is announced by the node watcher and labelled by label-kata-node through the bus", async () => {
  const config = testConfig();
  const labeller = await host(config, [labelKataNode({ shims: ["qemu", "clh"] })]);
  const selector = uniqueName("nodes");
  await watch(config, scope({ watchers: ["node-watcher"], nodeSelector: `${RUN_LABEL}=${selector}` }));
  const node = await core.createNode({
    body: { metadata: { name: uniqueName("intel"), labels: { ...VMX, [RUN_LABEL]: selector } } },
  });
  const name = node.metadata?.name ?? "";
  const kata = await waitUntil(
    "the node's Kata label",
    async () => (await core.readNode({ name })).metadata?.labels?.["icn.akraino.org/kata"],
  );
  expect(kata).toBe("enabled");
  const joined = await messages(config, "node.joined");
  expect(joined.map(dataOf)).toEqual([{ node: name, uid: node.metadata?.uid }]);
  const event = { id: stableId("node-watcher", node.metadata?.uid ?? ""), source: NODE_WATCHER.source };
  expect(joined[0]?.headers["ce-id"]).toEqual([event.id]);
  // The label lands before the handler finishes (it still records an Event and emits its result).
  expect(
    await waitForOutcome(labeller, event, "label-kata-node", ["succeeded", "rejected", "dead-lettered"]),
  ).toMatchObject({ state: "succeeded" });
});

test("a runc pod that predates its namespace becoming a tenant's is quarantined end to end", async () => {
  const tenant = uniqueName("acme");
  // An existing namespace becomes a tenant's only with the operator's approval.
  await core.createNamespace({ body: { metadata: { name: tenant, labels: { [ADOPT_LABEL]: tenant } } } });
  const legacy = await aPod(tenant, "legacy", "runc");
  const kata = await aPod(tenant, "already-kata", "kata-clh");
  const config = testConfig();
  const provision = provisionTenant({
    // The functions' own ServiceAccounts stay on the cluster-wide tamper policy (test/deploy runs them).
    ...provisionOptions({ ICN_PLATFORM_IDENTITIES: "icn-admin" }),
  });
  const quarantine = quarantineRuncPod({
    action: "isolate",
    dryRun: false,
    kata: kataRuntimeFromEnv({}),
    limiter: tokenBucket(600, 100),
  });
  await host(config, [provision, quarantine]);
  const watchers = await watch(
    config,
    scope({ watchers: ["pod-watcher"], namespaceSelector: `icn.akraino.org/tenant=${tenant}` }),
  );
  // Not a tenant's namespace yet: nothing to report.
  expect(await messages(config, "pod.unsafe")).toEqual([]);

  const request = newEvent({
    name: "tenant.requested",
    source: "urn:test:watchers",
    data: { tenant, admins: [{ kind: "User", name: `alice-${tenant}` }] },
  });
  await publishEvent(jetstream(nc), config.prefix, request);
  expect(
    await waitUntil("the legacy pod's quarantine label", () => labelOf(legacy, "icn.akraino.org/quarantine")),
  ).toBe("true");
  // The label is written first, the policy right after it.
  const policy = await waitUntil("the quarantine NetworkPolicy", () =>
    kc
      .makeApiClient(NetworkingV1Api)
      .readNamespacedNetworkPolicy({ name: "icn-quarantine", namespace: tenant })
      .catch(() => undefined),
  );
  expect(policy.spec?.podSelector?.matchLabels).toEqual({ "icn.akraino.org/quarantine": "true" });

  await watchers.idle();
  const unsafe = await messages(config, "pod.unsafe");
  expect(unsafe.map(dataOf)).toEqual([
    {
      namespace: tenant,
      pod: "legacy",
      uid: legacy.metadata?.uid,
      reason: expect.stringContaining("runc") as string,
      detector: "pod-watcher",
    },
  ]);
  expect(unsafe[0]?.headers["ce-source"]).toEqual([POD_WATCHER.source]);
  expect(unsafe[0]?.headers["ce-id"]).toEqual([stableId("pod-watcher", legacy.metadata?.uid ?? "")]);
  expect(await labelOf(kata, "icn.akraino.org/quarantine")).toBeUndefined();
});

test("a running Kata pod is reported once its RuntimeClass is deleted (the class, not its name, decides)", async () => {
  const className = uniqueName("kata-doomed");
  const kataClass = {
    apiVersion: "node.k8s.io/v1",
    kind: "RuntimeClass",
    metadata: { name: className },
    handler: "kata-qemu",
  } as KubernetesObject;
  await apply(kube, kataClass, "test-setup");
  // The class admits pods once the apiserver has it; the namespace becomes a tenant's after them.
  const pod = await inNewTenant("rcw", (namespace) => eventually(() => aPod(namespace, "vm", className)));
  const ns = pod.metadata?.namespace ?? "";
  const config = testConfig();
  const watchers = await watch(
    config,
    scope({ watchers: ["pod-watcher"], namespaceSelector: `icn.akraino.org/tenant=${ns}` }),
  );
  await watchers.idle();
  expect(await messages(config, "pod.unsafe")).toEqual([]);
  await kube.objects.delete(kataClass);
  const reported = await waitUntil("pod.unsafe for the pod", async () => {
    const found = (await messages(config, "pod.unsafe")).map(dataOf);
    return found.length ? found : undefined;
  });
  expect(reported).toEqual([
    expect.objectContaining({
      pod: "vm",
      uid: pod.metadata?.uid,
      reason: expect.stringContaining("does not exist") as string,
    }),
  ]);
});

describe("restarts", () => {
  // Nobody consumes here: the node stays unlabelled and the pod unquarantined, so each restart finds them again.
  async function undecidedObjects(): Promise<WatcherOptions> {
    const selector = uniqueName("restart");
    await core.createNode({
      body: { metadata: { name: uniqueName("node"), labels: { [RUN_LABEL]: selector } } },
    });
    const ns = await inNewTenant("rt", (namespace) => aPod(namespace, "legacy", "runc")).then(
      (pod) => pod.metadata?.namespace ?? "",
    );
    return scope({
      nodeSelector: `${RUN_LABEL}=${selector}`,
      namespaceSelector: `icn.akraino.org/tenant=${ns}`,
    });
  }
  const counts = async (config: RuntimeConfig): Promise<number[]> => [
    (await messages(config, "node.joined")).length,
    (await messages(config, "pod.unsafe")).length,
  ];

  test("a restarted watcher publishes nothing new for what it already reported", async () => {
    const config = testConfig();
    const options = await undecidedObjects();
    const first = await watch(config, options);
    expect(await counts(config)).toEqual([1, 1]);
    expect(first.stats()).toMatchObject({
      "node-watcher": { published: 1 },
      "pod-watcher": { published: 1 },
    });
    await first.stop();

    const second = await watch(config, options);
    expect(await counts(config)).toEqual([1, 1]);
    // It did find both again: the stream's duplicate window is what dropped them.
    expect(second.stats()).toMatchObject({
      "node-watcher": { published: 0, duplicates: 1 },
      "pod-watcher": { published: 0, duplicates: 1 },
    });
  });

  test("the watcher process reports, stops cleanly on SIGTERM, and a second process adds nothing", async () => {
    const config = testConfig();
    const options = await undecidedObjects();
    const env = {
      ICN_SUBJECT_PREFIX: config.prefix,
      ICN_WATCH_NODE_SELECTOR: options.nodeSelector ?? "",
      ICN_WATCH_NAMESPACE_SELECTOR: options.namespaceSelector,
      ICN_LOG_LEVEL: "info",
    };
    for (const round of [1, 2]) {
      const watcher = spawnNode("shared/sources/main.ts", env);
      await watcher.waitFor(/"msg":"watchers synced"/);
      expect(await counts(config)).toEqual([1, 1]);
      watcher.child.kill("SIGTERM");
      expect(await watcher.exited).toBe(0);
      expect(watcher.output()).toMatch(
        round === 1 ? /"published":1,"duplicates":0/ : /"published":0,"duplicates":1/,
      );
    }
  });
});
