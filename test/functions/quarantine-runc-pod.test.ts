// quarantine-runc-pod end to end: pod.unsafe on the bus; the pod, its NetworkPolicy and Events in the cluster.
import {
  CoordinationV1Api,
  CoreV1Api,
  EventsV1Api,
  NetworkingV1Api,
  type V1Pod,
} from "@kubernetes/client-node";
import type { NatsConnection } from "@nats-io/transport-node";
import { claimName, sweepClaims } from "../../functions/quarantine-runc-pod/claims.ts";
import { FIELD_MANAGER } from "../../functions/quarantine-runc-pod/actions.ts";
import { quarantineRuncPod, type QuarantineOptions } from "../../functions/quarantine-runc-pod/index.ts";
import { tokenBucket } from "../../functions/quarantine-runc-pod/rate-limit.ts";
import { TENANT_LABEL } from "../../schemas/names.ts";
import { kataRuntimeFromEnv } from "../../shared/kata.ts";
import { applyBaseRbac } from "../deploy/identities.ts";
import { kubeConfig, natsConnection, uniqueName } from "../harness/servers.ts";
import { runtimeClass } from "../../functions/label-kata-node/runtime-classes.ts";
import { apply } from "../../shared/kube-apply.ts";
import { kubeFromConfig } from "../../shared/kube.ts";
import { functionRig, type FunctionRig } from "./support.ts";

const kc = kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
let nc: NatsConnection;
const rigs: FunctionRig[] = [];

const options = (overrides: Partial<QuarantineOptions> = {}): QuarantineOptions => ({
  action: "isolate",
  dryRun: false,
  kata: kataRuntimeFromEnv({}),
  limiter: tokenBucket(600, 100),
  ...overrides,
});
async function rigWith(overrides: Partial<QuarantineOptions> = {}): Promise<FunctionRig> {
  const rig = await functionRig(nc, [quarantineRuncPod(options(overrides))]);
  rigs.push(rig);
  return rig;
}

/**
 * Makes the pods in a fresh namespace, then labels it a tenant's: runc pods only exist in tenant
 * namespaces from before their adoption (the cluster-wide Kata floor refuses new ones).
 */
async function inNewTenant<T>(makePods: (namespace: string) => Promise<T>): Promise<T> {
  const name = uniqueName("qt");
  await core.createNamespace({ body: { metadata: { name } } });
  const pods = await makePods(name);
  const path = `/metadata/labels/${TENANT_LABEL.replace("/", "~1")}`;
  await core.patchNamespace({ name, body: [{ op: "add", path, value: name }] });
  return pods;
}
async function aPod(namespace: string, runtimeClassName?: string): Promise<V1Pod> {
  return core.createNamespacedPod({
    namespace,
    body: {
      metadata: { name: uniqueName("p") },
      spec: { runtimeClassName, containers: [{ name: "c", image: "registry.example/legacy:1" }] },
    },
  });
}
const unsafe = (pod: V1Pod): { namespace: string; pod: string; uid?: string } => ({
  namespace: pod.metadata?.namespace ?? "",
  pod: pod.metadata?.name ?? "",
  uid: pod.metadata?.uid,
});
/**
 * What quarantine could have changed on a pod: its labels, and any field under its own manager. (Not the
 * resourceVersion: kube-scheduler writes a pod's PodScheduled condition while the test runs.)
 */
const quarantineView = (pod: V1Pod): { labels: unknown; managed: boolean } => ({
  labels: pod.metadata?.labels,
  managed: (pod.metadata?.managedFields ?? []).some((f) => f.manager === FIELD_MANAGER),
});

const readPod = (pod: V1Pod): Promise<V1Pod> =>
  core.readNamespacedPod({ name: pod.metadata?.name ?? "", namespace: pod.metadata?.namespace ?? "" });
const exists = (pod: V1Pod): Promise<boolean> =>
  readPod(pod).then(
    () => true,
    () => false,
  );

let rig: FunctionRig;
beforeAll(async () => {
  // Pods of a Kata class are admitted only once the class exists (the RuntimeClass admission plugin).
  await apply(kubeFromConfig(kc), runtimeClass("qemu"), "test-setup");
  // The platform as installed: claims live in its namespace (icn-system).
  await applyBaseRbac();
  nc = await natsConnection();
  rig = await rigWith();
});
afterAll(async () => {
  for (const r of rigs) await r.stop();
  await nc.close();
});

test("a runc pod is labelled, isolated by a NetworkPolicy, has a Kubernetes Event and a pod.quarantined result", async () => {
  const pod = await inNewTenant((namespace) => aPod(namespace));
  const ns = pod.metadata?.namespace ?? "";
  const { event, outcome } = await rig.send(
    "pod.unsafe",
    { ...unsafe(pod), reason: "runs under runc" },
    "quarantine-runc-pod",
  );
  expect(outcome).toMatchObject({ state: "succeeded" });
  expect((await readPod(pod)).metadata?.labels?.["icn.akraino.org/quarantine"]).toBe("true");
  const policy = await kc
    .makeApiClient(NetworkingV1Api)
    .readNamespacedNetworkPolicy({ name: "icn-quarantine", namespace: ns });
  expect(policy.spec).toMatchObject({
    podSelector: { matchLabels: { "icn.akraino.org/quarantine": "true" } },
    policyTypes: ["Ingress", "Egress"],
  });
  expect(policy.spec?.ingress ?? []).toEqual([]);
  expect(policy.spec?.egress ?? []).toEqual([]);
  const events = await kc.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: ns });
  expect(
    events.items.filter((e) => e.reason === "Quarantined" && e.regarding?.uid === pod.metadata?.uid),
  ).toHaveLength(1);
  const [result] = await rig.results(event.id);
  expect(result).toMatchObject({
    type: "org.akraino.icn.pod.quarantined",
    data: { action: "isolate", dryRun: false, networkPolicy: "icn-quarantine" },
  });
});

test.each([["evict"], ["delete"]] as const)("%s mode removes the pod after isolating it", async (action) => {
  const destructive = await rigWith({ action });
  const pod = await inNewTenant((namespace) => aPod(namespace));
  const { event, outcome } = await destructive.send("pod.unsafe", unsafe(pod), "quarantine-runc-pod");
  expect(outcome).toMatchObject({ state: "succeeded" });
  expect(await exists(pod)).toBe(false);
  expect((await destructive.results(event.id))[0]?.data).toMatchObject({ action });
});

test("a Kata pod, a pod in kube-system and a uid mismatch are left untouched with pod.cleared", async () => {
  const [kata, replaced] = await inNewTenant((ns) => Promise.all([aPod(ns, "kata-qemu"), aPod(ns)]));
  const system = await aPod("kube-system");
  const cases = [
    [kata, unsafe(kata), /Kata runtime class/],
    [system, unsafe(system), /not a tenant namespace/],
    [replaced, { ...unsafe(replaced), uid: "00000000-0000-0000-0000-000000000000" }, /replaced/],
  ] as const;
  for (const [pod, data, reason] of cases) {
    const before = quarantineView(await readPod(pod));
    const { event, outcome } = await rig.send("pod.unsafe", data, "quarantine-runc-pod");
    expect(outcome).toMatchObject({ state: "succeeded" });
    const [result] = await rig.results(event.id);
    expect(result?.type).toBe("org.akraino.icn.pod.cleared");
    expect(String(result?.data.reason)).toMatch(reason);
    expect(quarantineView(await readPod(pod))).toEqual({ ...before, managed: false });
  }
});

test("1,000 events for 50 pods quarantine exactly 50", async () => {
  const [pods, bystander] = await inNewTenant((ns) =>
    Promise.all([Promise.all(Array.from({ length: 50 }, () => aPod(ns))), aPod(ns)]),
  );
  const ns = bystander.metadata?.namespace ?? "";
  const storm = await rigWith();
  for (let i = 0; i < 1000; i++) await storm.publish("pod.unsafe", unsafe(pods[i % 50]!));
  // A storm on a shared 2-core machine: the time allowed is a guard against hanging, not a speed claim.
  const settled = await storm.settled(1000, 280_000);
  // At least once: a redelivery may run a handler twice; what must hold is the cluster's state below.
  expect(settled).toMatchObject({ rejected: 0, deadLettered: 0 });
  expect(settled.succeeded).toBeGreaterThanOrEqual(1000);
  const labelled = await core.listNamespacedPod({
    namespace: ns,
    labelSelector: "icn.akraino.org/quarantine=true",
  });
  expect(labelled.items).toHaveLength(50);
  expect((await readPod(bystander)).metadata?.labels?.["icn.akraino.org/quarantine"]).toBeUndefined();
  const events = await kc.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: ns });
  expect(events.items.filter((e) => e.reason === "Quarantined")).toHaveLength(50);
}, 300_000);

test("dry-run changes nothing and says what it would have done", async () => {
  const dry = await rigWith({ dryRun: true, action: "delete" });
  const pod = await inNewTenant((namespace) => aPod(namespace));
  const ns = pod.metadata?.namespace ?? "";
  const before = quarantineView(await readPod(pod));
  const { event } = await dry.send("pod.unsafe", unsafe(pod), "quarantine-runc-pod");
  expect((await dry.results(event.id))[0]?.data).toMatchObject({ action: "delete", dryRun: true });
  expect(quarantineView(await readPod(pod))).toEqual({ ...before, managed: false });
  await expect(
    kc.makeApiClient(NetworkingV1Api).readNamespacedNetworkPolicy({ name: "icn-quarantine", namespace: ns }),
  ).rejects.toMatchObject({ code: 404 });
});

test("the claim is a Lease in the platform namespace, held by the report; old claims are swept", async () => {
  const leases = kc.makeApiClient(CoordinationV1Api);
  const pod = await inNewTenant((namespace) => aPod(namespace));
  const { event } = await rig.send("pod.unsafe", unsafe(pod), "quarantine-runc-pod");
  const claim = await leases.readNamespacedLease({
    name: claimName(pod.metadata?.uid ?? ""),
    namespace: "icn-system",
  });
  expect(claim.spec?.holderIdentity).toBe(`${event.source} ${event.id}`);
  expect(claim.metadata?.labels).toMatchObject({
    "app.kubernetes.io/managed-by": "icn-secure-tenancy",
    "icn.akraino.org/claim": "quarantine",
  });
  // A sweep deletes the claims created before its cut-off (older tests' claims may go with it).
  const created = claim.metadata?.creationTimestamp?.getTime() ?? 0;
  await sweepClaims(kubeFromConfig(kc), created);
  await leases.readNamespacedLease({ name: claim.metadata?.name ?? "", namespace: "icn-system" });
  expect(await sweepClaims(kubeFromConfig(kc), created + 1)).toBeGreaterThanOrEqual(1);
  await expect(
    leases.readNamespacedLease({ name: claim.metadata?.name ?? "", namespace: "icn-system" }),
  ).rejects.toMatchObject({ code: 404 });
});
