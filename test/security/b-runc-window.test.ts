// Attack B: a brand-new tenant admin hammers pod creation from the first moment they may, hoping to beat the policies.
import type { CoreV1Api, KubernetesObject, V1Pod } from "@kubernetes/client-node";
import { apply } from "../../shared/kube-apply.ts";
import { kubeFromConfig } from "../../shared/kube.ts";
import { PROBE_GUARD_POLICY } from "../../functions/provision-tenant/kata-floor.ts";
import { DEFAULT_KATA_CLASSES } from "../../shared/kata.ts";
import { applyBaseRbac, attempt, serviceAccountKube } from "../deploy/identities.ts";
import { uniqueName } from "../harness/servers.ts";
import { aRequest, provisionRig, type ProvisionRig } from "./provision-rig.ts";

let rig: ProvisionRig;
beforeAll(async () => {
  rig = await provisionRig();
  // The nodes offer plain runc too, as most clusters do: a pod asking for it is only stopped by the policies.
  const runc = {
    apiVersion: "node.k8s.io/v1",
    kind: "RuntimeClass",
    metadata: { name: "runc" },
    handler: "runc",
  };
  await apply(kubeFromConfig(rig.admin), runc as KubernetesObject, "test-setup");
});
afterAll(() => rig.close());

const aPod = (runtimeClassName?: string): V1Pod => ({
  metadata: { generateName: "hammer-" },
  spec: { runtimeClassName, containers: [{ name: "app", image: "registry.example/app:1" }] },
});

interface Tally {
  admitted: V1Pod[];
  refusedByPolicy: number;
  notYetAllowed: number;
}

/** Creates pods as fast as it can until told to stop; counts what the apiserver said. */
async function hammer(
  target: { api: CoreV1Api; namespace: string },
  runtimeClassName: string | undefined,
  tally: Tally,
  stop: () => boolean,
): Promise<void> {
  while (!stop()) {
    try {
      tally.admitted.push(
        await target.api.createNamespacedPod({ namespace: target.namespace, body: aPod(runtimeClassName) }),
      );
    } catch (err) {
      const body = String((err as { body?: unknown }).body);
      if (/AdmissionPolicy/.test(body)) tally.refusedByPolicy += 1;
      else tally.notYetAllowed += 1;
    }
  }
}

test("from the moment the new admin's RoleBinding exists, no pod outside the Kata classes is admitted", async () => {
  const tenant = uniqueName("race");
  const alice = `alice-${tenant}`;
  const tally: Tally = { admitted: [], refusedByPolicy: 0, notYetAllowed: 0 };
  let stopped = false;
  const target = { api: rig.as(alice), namespace: tenant };
  const workers = ["runc", undefined, "runc", undefined].map((cls) =>
    hammer(target, cls, tally, () => stopped),
  );
  const { outcome } = await rig.send(
    "tenant.requested",
    aRequest(tenant, alice, { quota: { pods: 5000 } }),
    "provision-tenant",
  );
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  stopped = true;
  await Promise.all(workers);

  expect(outcome).toMatchObject({ state: "succeeded" });
  // The hammer reached the policies, so it did run while the admin was allowed to create pods.
  expect(tally.refusedByPolicy).toBeGreaterThan(0);
  const stored = await rig.core.listNamespacedPod({ namespace: tenant });
  const outsideKata = stored.items
    .filter((pod) => !(DEFAULT_KATA_CLASSES as readonly string[]).includes(pod.spec?.runtimeClassName ?? ""))
    .map((pod) => `${pod.metadata?.name} (${pod.spec?.runtimeClassName ?? "no class"})`);
  expect(outsideKata).toEqual([]);
  expect(tally.admitted.every((pod) => pod.spec?.runtimeClassName === "kata-qemu")).toBe(true);
});

test("provision-tenant's own account creates pods only as dry-runs: a real pod is refused", async () => {
  await applyBaseRbac();
  const namespace = uniqueName("probe");
  await rig.core.createNamespace({ body: { metadata: { name: namespace } } });
  const asProvisioner = await serviceAccountKube("provision-tenant");
  const body = { metadata: { name: "not-a-probe" }, spec: { containers: [{ name: "c", image: "x:1" }] } };
  const dryRun = await attempt(() =>
    asProvisioner.core.createNamespacedPod({ namespace, body, dryRun: "All" }),
  );
  expect(dryRun).toMatchObject({ ok: true });
  const real = await attempt(() => asProvisioner.core.createNamespacedPod({ namespace, body }));
  expect(real).toMatchObject({ ok: false, status: 403 });
  expect(real.message).toContain(PROBE_GUARD_POLICY);
});
