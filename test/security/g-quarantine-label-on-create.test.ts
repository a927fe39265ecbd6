// G: only the platform sets the quarantine label; a tenant admin's pod that arrives with it is refused, on CREATE as on UPDATE.
import { CoreV1Api, type KubernetesObject, type V1Pod } from "@kubernetes/client-node";
import { runtimeClass } from "../../functions/label-kata-node/runtime-classes.ts";
import { FIELD_MANAGER } from "../../functions/quarantine-runc-pod/index.ts";
import { QUARANTINE_LABEL } from "../../schemas/names.ts";
import { apply } from "../../shared/kube-apply.ts";
import { kubeFromConfig, type Kube } from "../../shared/kube.ts";
import { attempt, serviceAccountKube } from "../deploy/identities.ts";
import { kubeConfig } from "../harness/servers.ts";
import { aTenantAdmin, refusedOnceEnforced, type TenantAdmin } from "./tenant-admin.ts";

const WHY = new RegExp(`only the platform may set the ${QUARANTINE_LABEL} label`);
let alice: TenantAdmin;
let asAlice: CoreV1Api;

// A Kata pod, so that nothing but its label can be the reason for a refusal.
const aPod = (name: string, labels?: Record<string, string>): V1Pod => ({
  metadata: { name, labels },
  spec: { runtimeClassName: "kata-qemu", containers: [{ name: "app", image: "registry.example/app:1" }] },
});
const quarantined = { [QUARANTINE_LABEL]: "true" };
/** Server-side applies the quarantine label, and only it, as quarantine-runc-pod does. */
const applyLabel = (kube: Kube, name: string, fieldManager: string): Promise<KubernetesObject> => {
  const label = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: alice.namespace, labels: quarantined },
  };
  return kube.objects.serverSideApply(label, { fieldManager, force: true });
};
const labelsOf = async (name: string): Promise<Record<string, string>> =>
  (await asAlice.readNamespacedPod({ name, namespace: alice.namespace })).metadata?.labels ?? {};

beforeAll(async () => {
  alice = await aTenantAdmin("g-label");
  asAlice = alice.kc.makeApiClient(CoreV1Api);
  await apply(kubeFromConfig(kubeConfig()), runtimeClass("qemu"), "test-setup");
  const body = aPod("probe", quarantined);
  await refusedOnceEnforced(() =>
    asAlice.createNamespacedPod({ namespace: alice.namespace, body, dryRun: "All" }),
  );
});

test("a pod created with the quarantine label is refused, saying why; without it, it is created", async () => {
  const namespace = alice.namespace;
  const refused = await attempt(() =>
    asAlice.createNamespacedPod({ namespace, body: aPod("disguised", quarantined) }),
  );
  expect(refused).toMatchObject({ ok: false, status: 403 });
  expect(refused.message).toMatch(WHY);
  expect(await attempt(() => asAlice.readNamespacedPod({ name: "disguised", namespace }))).toMatchObject({
    status: 404,
  });
  await asAlice.createNamespacedPod({ namespace, body: aPod("plain") });
});

test("the label added to a running pod is refused", async () => {
  await asAlice.createNamespacedPod({ namespace: alice.namespace, body: aPod("later") });
  const refused = await attempt(() => applyLabel(kubeFromConfig(alice.kc), "later", "alice"));
  expect(refused).toMatchObject({ ok: false, status: 403 });
  expect(refused.message).toMatch(WHY);
  expect(await labelsOf("later")).not.toHaveProperty([QUARANTINE_LABEL]);
});

test("the platform's quarantine function still labels the pod, with its own token", async () => {
  await asAlice.createNamespacedPod({ namespace: alice.namespace, body: aPod("suspect") });
  await applyLabel(await serviceAccountKube("quarantine-runc-pod"), "suspect", FIELD_MANAGER);
  expect(await labelsOf("suspect")).toMatchObject(quarantined);
});
