// Attack C: a request names runc, or a class dressed up as Kata, as the tenant's "Kata" class.
import type { KubernetesObject } from "@kubernetes/client-node";
import { paramsName } from "../../functions/provision-tenant/admission-policies.ts";
import { PLATFORM_NAMESPACE, TENANT_LABEL } from "../../schemas/names.ts";
import { apply } from "../../shared/kube-apply.ts";
import { kubeFromConfig } from "../../shared/kube.ts";
import { uniqueName } from "../harness/servers.ts";
import { aRequest, provisionRig, statusOf, type ProvisionRig } from "./provision-rig.ts";

let rig: ProvisionRig;
// The operator lists kata-fake among the platform's classes by mistake; its handler is runc. (The
// verified classes stay kata-qemu and kata-clh, so the cluster-wide floor this rig writes is the usual one.)
let misconfigured: ProvisionRig;
beforeAll(async () => {
  rig = await provisionRig();
  misconfigured = await provisionRig({
    kata: { classes: ["kata-qemu", "kata-clh", "kata-fake"], handlers: ["kata-qemu", "kata-clh"] },
  });
  const kube = kubeFromConfig(rig.admin);
  for (const [name, handler] of [
    ["runc", "runc"],
    ["kata-fake", "runc"],
  ] as const)
    await apply(
      kube,
      { apiVersion: "node.k8s.io/v1", kind: "RuntimeClass", metadata: { name }, handler } as KubernetesObject,
      "test-setup",
    );
});
afterAll(async () => {
  await rig.close();
  await misconfigured.close();
});

/** The request was refused as not Kata, listing the classes it may choose, and nothing of the tenant exists. */
async function expectRefusedAndNothingWritten(
  tenant: string,
  outcome: { state: string; error?: { code: string; message: string } },
): Promise<void> {
  expect(outcome).toMatchObject({ state: "rejected", error: { code: "NOT_KATA_CLASS" } });
  expect(outcome.error?.message).toMatch(/choose among kata-qemu/);
  expect(await statusOf(() => rig.core.readNamespace({ name: tenant }))).toBe(404);
  expect(
    await statusOf(() =>
      rig.core.readNamespacedConfigMap({ name: paramsName(tenant), namespace: PLATFORM_NAMESPACE }),
    ),
  ).toBe(404);
}

test("runc as the tenant's only and default class is rejected, listing the platform's Kata classes", async () => {
  const tenant = uniqueName("runc");
  const classes = { runtimeClasses: { allowed: ["runc"], default: "runc" } };
  const { outcome } = await rig.send(
    "tenant.requested",
    aRequest(tenant, uniqueName("mallory"), classes),
    "provision-tenant",
  );
  await expectRefusedAndNothingWritten(tenant, outcome);
});

test("a class named kata-* whose handler is runc does not count as Kata, even when the operator lists it", async () => {
  const tenant = uniqueName("fake");
  const classes = { runtimeClasses: { allowed: ["kata-fake"], default: "kata-fake" } };
  const { outcome } = await misconfigured.send(
    "tenant.requested",
    aRequest(tenant, uniqueName("mallory"), classes),
    "provision-tenant",
  );
  await expectRefusedAndNothingWritten(tenant, outcome);
  expect(outcome.error?.message).toMatch(/kata-fake has handler runc, which is not a Kata handler/);
});

test("a tenant without classes gets only verified Kata classes, never the misconfigured one", async () => {
  const tenant = uniqueName("plain");
  const { outcome } = await misconfigured.send(
    "tenant.requested",
    aRequest(tenant, uniqueName("alice")),
    "provision-tenant",
  );
  expect(outcome).toMatchObject({ state: "succeeded" });
  const params = await rig.core.readNamespacedConfigMap({
    name: paramsName(tenant),
    namespace: PLATFORM_NAMESPACE,
  });
  expect(params.data).toMatchObject({
    allowedRuntimeClasses: "kata-qemu,kata-clh",
    defaultRuntimeClass: "kata-qemu",
  });
  expect((await rig.core.readNamespace({ name: tenant })).metadata?.labels?.[TENANT_LABEL]).toBe(tenant);
});
