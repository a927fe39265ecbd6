// quarantine-runc-pod with its own ServiceAccount's token: isolates, evicts and deletes, and can do nothing else.
import {
  CoreV1Api,
  EventsV1Api,
  NetworkingV1Api,
  type KubeConfig,
  type V1Pod,
  type V1ResourceAttributes,
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

/** A runc pod in a fresh namespace, made before the namespace became a tenant's (the Kata floor refuses new ones). */
async function aRuncPod(tenant: boolean): Promise<V1Pod> {
  const namespace = await aNamespace(false);
  const body = {
    metadata: { name: uniqueName("legacy") },
    spec: { containers: [{ name: "c", image: "x" }] },
  };
  const pod = await core.createNamespacedPod({ namespace, body });
  const path = "/metadata/labels/icn.akraino.org~1tenant";
  if (tenant) await core.patchNamespace({ name: namespace, body: [{ op: "add", path, value: namespace }] });
  return pod;
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
    const pod = await aRuncPod(true);
    const ns = pod.metadata?.namespace ?? "";
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
    const pod = await aRuncPod(true);
    const { outcome } = await rigs.get(action)!.send("pod.unsafe", unsafe(pod), "quarantine-runc-pod");
    expect(outcome).toMatchObject({ state: "succeeded" });
    expect(await gone(pod)).toBe(true);
  });

  test("outside tenant namespaces it reads, clears, and changes nothing", async () => {
    const pod = await aRuncPod(false);
    const { event, outcome } = await rigs
      .get("delete")!
      .send("pod.unsafe", unsafe(pod), "quarantine-runc-pod");
    expect(outcome).toMatchObject({ state: "succeeded" });
    expect(await rigs.get("delete")!.results(event.id, "pod.cleared")).toHaveLength(1);
    expect(await gone(pod)).toBe(false);
  });
});

const policy = (verb: string, name: string): V1ResourceAttributes => ({
  verb,
  group: "networking.k8s.io",
  resource: "networkpolicies",
  name,
  namespace: "t",
});
const claims = (verb: string, namespace = "icn-system"): V1ResourceAttributes => ({
  verb,
  group: "coordination.k8s.io",
  resource: "leases",
  namespace,
});

describe("the apiserver allows exactly what it uses", () => {
  test.each([
    ["get pods", { verb: "get", resource: "pods", namespace: "any-tenant" }],
    ["patch pods", { verb: "patch", resource: "pods", namespace: "any-tenant" }],
    ["delete pods", { verb: "delete", resource: "pods", namespace: "any-tenant" }],
    ["evict pods", { verb: "create", resource: "pods", subresource: "eviction", namespace: "any-tenant" }],
    ["get namespaces", { verb: "get", resource: "namespaces" }],
    ["apply icn-quarantine", policy("patch", "icn-quarantine")],
    ["read a pre-planted icn-quarantine", policy("get", "icn-quarantine")],
    ["delete a pre-planted icn-quarantine", policy("delete", "icn-quarantine")],
    ["read a RuntimeClass", { verb: "get", group: "node.k8s.io", resource: "runtimeclasses" }],
    ["create claims in icn-system", claims("create")],
    ["get claims in icn-system", claims("get")],
    ["list claims in icn-system", claims("list")],
    ["delete claims in icn-system", claims("delete")],
  ])("may %s", async (_, attributes) => {
    expect(await can(asFunction, attributes)).toBe(true);
  });

  test.each([
    ["create namespaces", { verb: "create", resource: "namespaces" }],
    ["read secrets", { verb: "get", resource: "secrets", namespace: "icn-system" }],
    ["list secrets", { verb: "list", resource: "secrets" }],
    ["create pods", { verb: "create", resource: "pods", namespace: "any-tenant" }],
    ["patch nodes", { verb: "patch", resource: "nodes" }],
    ["delete the tenant's isolation", policy("delete", "icn-tenant-isolation")],
    ["apply another NetworkPolicy", policy("patch", "allow-all")],
    ["read another NetworkPolicy", policy("get", "icn-tenant-isolation")],
    ["change a RuntimeClass", { verb: "patch", group: "node.k8s.io", resource: "runtimeclasses" }],
    ["write claims where tenants can", claims("create", "any-tenant")],
    ["change a claim rather than make it", claims("update")],
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
