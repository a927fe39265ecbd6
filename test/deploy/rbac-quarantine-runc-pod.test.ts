// quarantine-runc-pod with its own ServiceAccount's token: isolates, evicts and deletes, and can do nothing else.
import {
  CoreV1Api,
  EventsV1Api,
  NetworkingV1Api,
  type KubeConfig,
  type V1Pod,
} from "@kubernetes/client-node";
import type { NatsConnection } from "@nats-io/transport-node";
import { optionsFromEnv, quarantineRuncPod, type Action } from "../../functions/quarantine-runc-pod/index.ts";
import { kubeFromConfig } from "../../shared/kube.ts";
import { kubeConfig, natsConnection, uniqueName } from "../harness/servers.ts";
import { functionRig, type FunctionRig } from "../functions/support.ts";
import { applyBaseRbac, attempt, can, serviceAccountConfig } from "./identities.ts";

const admin = kubeConfig();
const core = admin.makeApiClient(CoreV1Api);
let asFunction: KubeConfig;
let nc: NatsConnection;
const rigs = new Map<Action, FunctionRig>();

/** The Deployment's options (config.env) but for the action under test. */
async function rigFor(action: Action): Promise<FunctionRig> {
  const options = optionsFromEnv({ ICN_QUARANTINE_ACTION: action });
  const rig = await functionRig(nc, [quarantineRuncPod(options)], kubeFromConfig(asFunction));
  rigs.set(action, rig);
  return rig;
}

async function aNamespace(tenant: boolean): Promise<string> {
  const name = uniqueName("rq");
  const labels: Record<string, string> = tenant ? { "icn.akraino.org/tenant": name } : {};
  await core.createNamespace({ body: { metadata: { name, labels } } });
  return name;
}

async function aRuncPod(namespace: string): Promise<V1Pod> {
  const body = {
    metadata: { name: uniqueName("legacy") },
    spec: { containers: [{ name: "c", image: "x" }] },
  };
  return core.createNamespacedPod({ namespace, body });
}

const unsafe = (pod: V1Pod): Record<string, string | undefined> => ({
  namespace: pod.metadata?.namespace,
  pod: pod.metadata?.name,
  uid: pod.metadata?.uid,
});

const gone = (pod: V1Pod): Promise<boolean> =>
  core.readNamespacedPod({ name: pod.metadata?.name ?? "", namespace: pod.metadata?.namespace ?? "" }).then(
    () => false,
    (err: { code?: number }) => err.code === 404,
  );

beforeAll(async () => {
  await applyBaseRbac();
  asFunction = await serviceAccountConfig("quarantine-runc-pod");
  nc = await natsConnection();
  for (const action of ["isolate", "evict", "delete"] as const) await rigFor(action);
});
afterAll(async () => {
  for (const rig of rigs.values()) await rig.stop();
  await nc.close();
});

describe("every action works with its own token", () => {
  test("isolate: labels the pod, applies the NetworkPolicy, records an Event", async () => {
    const ns = await aNamespace(true);
    const pod = await aRuncPod(ns);
    const { outcome } = await rigs.get("isolate")!.send("pod.unsafe", unsafe(pod), "quarantine-runc-pod");
    expect(outcome).toMatchObject({ state: "succeeded" });
    const name = pod.metadata?.name ?? "";
    const labels = (await core.readNamespacedPod({ name, namespace: ns })).metadata?.labels;
    expect(labels).toMatchObject({ "icn.akraino.org/quarantine": "true" });
    const policy = await admin
      .makeApiClient(NetworkingV1Api)
      .readNamespacedNetworkPolicy({ name: "icn-quarantine", namespace: ns });
    expect(policy.spec?.policyTypes).toEqual(["Ingress", "Egress"]);
    const events = await admin.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: ns });
    expect(events.items.some((e) => e.regarding?.name === name && e.reason === "Quarantined")).toBe(true);
  });

  test.each(["evict", "delete"] as const)("%s: the pod is gone", async (action) => {
    const pod = await aRuncPod(await aNamespace(true));
    const { outcome } = await rigs.get(action)!.send("pod.unsafe", unsafe(pod), "quarantine-runc-pod");
    expect(outcome).toMatchObject({ state: "succeeded" });
    expect(await gone(pod)).toBe(true);
  });

  test("outside tenant namespaces it reads, clears, and changes nothing", async () => {
    const pod = await aRuncPod(await aNamespace(false));
    const { event, outcome } = await rigs
      .get("delete")!
      .send("pod.unsafe", unsafe(pod), "quarantine-runc-pod");
    expect(outcome).toMatchObject({ state: "succeeded" });
    expect(await rigs.get("delete")!.results(event.id, "pod.cleared")).toHaveLength(1);
    expect(await gone(pod)).toBe(false);
  });
});

describe("the apiserver allows exactly what it uses", () => {
  test.each([
    ["get pods", { verb: "get", resource: "pods", namespace: "any-tenant" }],
    ["patch pods", { verb: "patch", resource: "pods", namespace: "any-tenant" }],
    ["delete pods", { verb: "delete", resource: "pods", namespace: "any-tenant" }],
    ["evict pods", { verb: "create", resource: "pods", subresource: "eviction", namespace: "any-tenant" }],
    ["get namespaces", { verb: "get", resource: "namespaces" }],
    [
      "apply icn-quarantine",
      {
        verb: "patch",
        group: "networking.k8s.io",
        resource: "networkpolicies",
        name: "icn-quarantine",
        namespace: "t",
      },
    ],
  ])("may %s", async (_, attributes) => {
    expect(await can(asFunction, attributes)).toBe(true);
  });

  test.each([
    ["create namespaces", { verb: "create", resource: "namespaces" }],
    ["read secrets", { verb: "get", resource: "secrets", namespace: "icn-system" }],
    ["list secrets", { verb: "list", resource: "secrets" }],
    ["create pods", { verb: "create", resource: "pods", namespace: "any-tenant" }],
    ["patch nodes", { verb: "patch", resource: "nodes" }],
    [
      "delete the tenant's isolation",
      {
        verb: "delete",
        group: "networking.k8s.io",
        resource: "networkpolicies",
        name: "icn-tenant-isolation",
        namespace: "t",
      },
    ],
    [
      "apply another NetworkPolicy",
      {
        verb: "patch",
        group: "networking.k8s.io",
        resource: "networkpolicies",
        name: "allow-all",
        namespace: "t",
      },
    ],
  ])("may not %s", async (_, attributes) => {
    expect(await can(asFunction, attributes)).toBe(false);
  });
});

describe("what it must not do is refused", () => {
  test("creating a namespace", async () => {
    const mine = asFunction.makeApiClient(CoreV1Api);
    const name = uniqueName("nope");
    expect(await attempt(() => mine.createNamespace({ body: { metadata: { name } } }))).toMatchObject({
      status: 403,
    });
    expect(await attempt(() => core.readNamespace({ name }))).toMatchObject({ status: 404 });
  });

  test("reading secrets", async () => {
    const ns = await aNamespace(true);
    const secret = await core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: "creds" }, stringData: { k: "v" } },
    });
    const mine = asFunction.makeApiClient(CoreV1Api);
    const name = secret.metadata?.name ?? "";
    expect(await attempt(() => mine.readNamespacedSecret({ name, namespace: ns }))).toMatchObject({
      status: 403,
    });
    expect(await attempt(() => mine.listSecretForAllNamespaces())).toMatchObject({ status: 403 });
  });
});
