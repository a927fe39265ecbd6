// Tamper protection names the functions' ServiceAccounts: each still does its work under it, a tenant admin still cannot.
import {
  AdmissionregistrationV1Api,
  CoreV1Api,
  NetworkingV1Api,
  type KubernetesObject,
  type V1Deployment,
  type V1Pod,
} from "@kubernetes/client-node";
import type { NatsConnection } from "@nats-io/transport-node";
import { labelKataNode, optionsFromEnv as labelOptions } from "../../functions/label-kata-node/index.ts";
import { POLICY } from "../../functions/provision-tenant/admission-policies.ts";
import { NOT_THE_PLATFORM } from "../../functions/provision-tenant/guard-builder.ts";
import { guardPolicies } from "../../functions/provision-tenant/guard-policies.ts";
import { optionsFromEnv, provisionTenant } from "../../functions/provision-tenant/index.ts";
import {
  optionsFromEnv as quarantineOptions,
  quarantineRuncPod,
} from "../../functions/quarantine-runc-pod/index.ts";
import { FUNCTION_NAMES } from "../../functions/index.ts";
import { ADOPT_LABEL } from "../../schemas/names.ts";
import { kubeFromConfig, type Kube } from "../../shared/kube.ts";
import { impersonating, kubeConfig, natsConnection, uniqueName } from "../harness/servers.ts";
import { functionRig, type FunctionRig } from "../functions/support.ts";
import {
  adminUsername,
  applyBaseRbac,
  applySharedPolicies,
  attempt,
  platformIdentitiesForTests,
  serviceAccountKube,
  serviceAccountUser,
} from "./identities.ts";
import { BASE, build, ofKind, OVERLAYS } from "./manifests.ts";

const admin = kubeConfig();
const core = admin.makeApiClient(CoreV1Api);
const tenant = uniqueName("tamper");
const alice = `alice-${tenant}`;
const KUBE_CONTROLLERS = ["namespace-controller", "generic-garbage-collector"].map(
  (sa) => `system:serviceaccount:kube-system:${sa}`,
);
const rigs: Record<string, FunctionRig> = {};
let nc: NatsConnection;
const legacy: V1Pod[] = [];

/** The identities a guard lets through, read back from the CEL of its match condition. */
function identitiesOf(policy: KubernetesObject | undefined): string[] {
  const spec = (policy as { spec?: { matchConditions?: { name: string; expression: string }[] } }).spec;
  const expression = spec?.matchConditions?.find((c) => c.name === NOT_THE_PLATFORM)?.expression ?? "";
  return [...expression.matchAll(/'([^']+)'/g)].map((m) => m[1] ?? "");
}

const request = (pods: number): Record<string, unknown> => ({
  tenant,
  admins: [{ kind: "User", name: alice }],
  quota: { pods },
});

async function rig(name: string, fn: Parameters<typeof functionRig>[1][number], kube: Kube): Promise<void> {
  rigs[name] = await functionRig(nc, [fn], kube);
}

beforeAll(async () => {
  await applyBaseRbac();
  await applySharedPolicies();
  nc = await natsConnection();
  const provisionOptions = { ...optionsFromEnv({}), platformIdentities: await platformIdentitiesForTests() };
  await rig(
    "provision-tenant",
    provisionTenant(provisionOptions),
    await serviceAccountKube("provision-tenant"),
  );
  await rig("label-kata-node", labelKataNode(labelOptions({})), await serviceAccountKube("label-kata-node"));
  await rig(
    "quarantine-runc-pod",
    quarantineRuncPod(quarantineOptions({})),
    await serviceAccountKube("quarantine-runc-pod"),
  );
  // Workloads that predate the tenant: its namespace is adopted (an operator approved it), they still run under runc.
  await core.createNamespace({ body: { metadata: { name: tenant, labels: { [ADOPT_LABEL]: tenant } } } });
  const aPod = { metadata: { name: "" }, spec: { containers: [{ name: "c", image: "legacy:1" }] } };
  for (const name of ["legacy-a", "legacy-b"])
    legacy.push(await core.createNamespacedPod({ namespace: tenant, body: { ...aPod, metadata: { name } } }));
  const first = await rigs["provision-tenant"]!.send("tenant.requested", request(50), "provision-tenant", {
    time: new Date(Date.now() - 60_000).toISOString(),
  });
  expect(first.outcome).toMatchObject({ state: "succeeded" });
});
afterAll(async () => {
  for (const r of Object.values(rigs)) await r.stop();
  await nc.close();
});

describe("the platform's identities are exactly the functions' ServiceAccounts", () => {
  const functionAccounts = FUNCTION_NAMES.map(serviceAccountUser);

  test("the Deployments run each function as its own ServiceAccount and never override the identities", () => {
    const deployments = ofKind<V1Deployment>(build(BASE), "Deployment");
    const functions = deployments.filter(
      (d) => d.metadata?.labels?.["app.kubernetes.io/component"] === "function",
    );
    expect(
      functions.map((d) => serviceAccountUser(d.spec?.template.spec?.serviceAccountName ?? "")).sort(),
    ).toEqual([...functionAccounts].sort());
    for (const overlay of OVERLAYS)
      expect(JSON.stringify(build(overlay))).not.toContain("ICN_PLATFORM_IDENTITIES");
  });

  test("every guard built with the Deployment's options lets through those and Kubernetes' cleanup only", () => {
    const guards = guardPolicies(optionsFromEnv({}).platformIdentities).filter((p) =>
      p.kind?.endsWith("Policy"),
    );
    expect(guards.map((p) => p.metadata?.name)).toContain(POLICY.tamper);
    for (const guard of guards)
      expect(identitiesOf(guard).sort()).toEqual([...functionAccounts, ...KUBE_CONTROLLERS].sort());
  });

  test("every guard in force names them (and, in this shared test cluster, the other suites' admin)", async () => {
    const admission = admin.makeApiClient(AdmissionregistrationV1Api);
    const expected = [...functionAccounts, await adminUsername(), ...KUBE_CONTROLLERS].sort();
    for (const guard of guardPolicies([]).filter((p) => p.kind?.endsWith("Policy"))) {
      const name = guard.metadata?.name ?? "";
      const inForce =
        guard.kind === "MutatingAdmissionPolicy"
          ? await admission.readMutatingAdmissionPolicy({ name })
          : await admission.readValidatingAdmissionPolicy({ name });
      expect(identitiesOf(inForce as KubernetesObject).sort()).toEqual(expected);
    }
  });
});

describe("each function still does its work under it, with its own token", () => {
  test("provision-tenant re-applies the tenant's managed objects (a newer request raises the quota)", async () => {
    const { outcome } = await rigs["provision-tenant"]!.send(
      "tenant.requested",
      request(20),
      "provision-tenant",
    );
    expect(outcome).toMatchObject({ state: "succeeded" });
    const quota = await core.readNamespacedResourceQuota({ name: "icn-tenant-quota", namespace: tenant });
    expect(quota.spec?.hard?.pods).toBe("20");
  });

  test("quarantine-runc-pod quarantines two pods, updating the policy it manages for the second", async () => {
    for (const pod of legacy) {
      const data = { namespace: tenant, pod: pod.metadata?.name, uid: pod.metadata?.uid };
      const { outcome } = await rigs["quarantine-runc-pod"]!.send("pod.unsafe", data, "quarantine-runc-pod");
      expect(outcome).toMatchObject({ state: "succeeded", results: [expect.any(String)] });
      const labels = (await core.readNamespacedPod({ name: pod.metadata?.name ?? "", namespace: tenant }))
        .metadata?.labels;
      expect(labels).toMatchObject({ "icn.akraino.org/quarantine": "true" });
    }
  });

  test("label-kata-node re-applies the platform's RuntimeClasses", async () => {
    const labels = { "kubernetes.io/arch": "arm64" };
    const node = await core.createNode({ body: { metadata: { name: uniqueName("tamper"), labels } } });
    const { outcome } = await rigs["label-kata-node"]!.send(
      "node.joined",
      { node: node.metadata?.name ?? "" },
      "label-kata-node",
    );
    expect(outcome).toMatchObject({ state: "succeeded" });
  });
});

describe("a tenant admin still cannot change what the platform manages", () => {
  const asAlice = (): ReturnType<typeof impersonating> => impersonating(admin, alice);
  const refusedByPolicy = (result: { ok: boolean; message: string }): void => {
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/only the platform may|is quarantined/);
  };

  test("deleting the tenant's isolation NetworkPolicy or the quarantine policy", async () => {
    const net = asAlice().makeApiClient(NetworkingV1Api);
    for (const name of ["icn-tenant-isolation", "icn-quarantine"])
      refusedByPolicy(await attempt(() => net.deleteNamespacedNetworkPolicy({ name, namespace: tenant })));
  });

  test("unlabelling a quarantined pod", async () => {
    const name = legacy[0]?.metadata?.name ?? "";
    const unlabel = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace: tenant, labels: { "icn.akraino.org/quarantine": "false" } },
    };
    const mine = kubeFromConfig(asAlice());
    refusedByPolicy(
      await attempt(() => mine.objects.serverSideApply(unlabel, { fieldManager: "alice", force: true })),
    );
  });

  test("adding someone to the admins' RoleBinding", async () => {
    const binding = {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "icn-tenant-admins", namespace: tenant },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "admin" },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "mallory" }],
    };
    const mine = kubeFromConfig(asAlice());
    refusedByPolicy(
      await attempt(() => mine.objects.serverSideApply(binding, { fieldManager: "alice", force: true })),
    );
  });

  test("while what the tenant owns stays the tenant's to change", async () => {
    const mine = asAlice().makeApiClient(CoreV1Api);
    const name = uniqueName("settings");
    await mine.createNamespacedConfigMap({
      namespace: tenant,
      body: { metadata: { name }, data: { a: "1" } },
    });
    await mine.deleteNamespacedConfigMap({ name, namespace: tenant });
  });
});
