// O: a tenant admin keeps pods coming in a namespace being released (a RoleBinding of their own for a second user,
// pods created in a loop, runc and Kata) so that one lands, or runs on, once the namespace has left the Kata policy.
import { type KubernetesObject } from "@kubernetes/client-node";
import {
  aKataNode,
  ensureRuntimeClasses,
  podNames,
  untilRunning,
  type KataNode,
} from "../functions/tenant-day2.ts";
import { attempt } from "../deploy/identities.ts";
import { eventually, uniqueName } from "../harness/servers.ts";
import { aRequest, provisionRig, type ProvisionRig } from "./provision-rig.ts";

let rig: ProvisionRig;
let node: KataNode;
beforeAll(async () => {
  rig = await provisionRig();
  await ensureRuntimeClasses(rig.admin);
  node = await aKataNode(rig.admin, "escape");
});
afterAll(async () => {
  await rig.close();
  await node.remove();
});

const KATA = ["kata-qemu", "kata-clh"];

test("pods pushed in during the release are refused once it is frozen, drained, and none starts after it, runc or Kata", async () => {
  const tenant = uniqueName("escape");
  const web = `${tenant}-web`;
  const [alice, mallory] = [`alice-${tenant}`, `mallory-${tenant}`];
  const provisioned = await rig.send(
    "tenant.requested",
    aRequest(tenant, alice, { namespaces: [tenant, web] }),
    "provision-tenant",
  );
  expect(provisioned.outcome.state).toBe("succeeded");
  // The admin's own backdoor: a RoleBinding of another name, which tamper protection does not cover.
  await eventually(() =>
    rig.rbac.createNamespacedRoleBinding({
      namespace: web,
      body: {
        metadata: { name: "backdoor" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "admin" },
        subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: mallory }],
      },
    }),
  );
  await untilRunning(
    rig.core,
    await eventually(() => rig.as(alice).createNamespacedPod({ namespace: web, body: node.aPod(web) })),
  );

  // Mallory keeps trying, runc and Kata, for as long as the release runs and a moment after (bounded, paced).
  const admitted: KubernetesObject[] = [];
  let releasing = true;
  const pushing = (async (): Promise<number> => {
    let tries = 0;
    for (let after = 0; (releasing || after < 10) && tries < 400; tries++) {
      const runtimeClass = ["runc", undefined, "kata-qemu"][tries % 3];
      const result = await rig
        .as(mallory)
        .createNamespacedPod({ namespace: web, body: node.aPod(web, runtimeClass) })
        .catch(() => undefined);
      if (result) admitted.push(result);
      if (!releasing) after++;
      await new Promise((r) => setTimeout(r, 50));
    }
    return tries;
  })();
  const release = await rig.send(
    "tenant.requested",
    aRequest(tenant, alice, { namespaces: [tenant], release: "drain" }),
    "provision-tenant",
  );
  releasing = false;
  expect(await pushing).toBeGreaterThan(10);
  expect(release.outcome.state).toBe("succeeded");

  // Some of mallory's pods got in before the freeze (the drain evicted them); every one admitted at all ran in Kata.
  expect(admitted.length).toBeGreaterThan(0);
  for (const pod of admitted)
    expect(KATA).toContain((pod as { spec?: { runtimeClassName?: string } }).spec?.runtimeClassName);
  expect(await podNames(rig.core, web)).toEqual([]);
  // Released: no tenant label, no Kata floor; mallory still holds the backdoor, and still starts nothing.
  expect(
    (await rig.core.readNamespace({ name: web })).metadata?.labels?.["icn.akraino.org/tenant"],
  ).toBeUndefined();
  for (const runtimeClass of ["runc", undefined]) {
    const refused = await attempt(() =>
      rig.as(mallory).createNamespacedPod({ namespace: web, body: node.aPod(web, runtimeClass) }),
    );
    expect(refused).toMatchObject({ ok: false, status: 403 });
    expect(refused.message).toContain(`namespace ${web} was released from tenant ${tenant}`);
  }
  expect(await podNames(rig.core, web)).toEqual([]);
});

test("the tenant admin, unbound, cannot lift the freeze: the namespace's labels are not theirs to change", async () => {
  const tenant = uniqueName("unfreeze");
  const old = `${tenant}-old`;
  const alice = `alice-${tenant}`;
  await rig.send(
    "tenant.requested",
    aRequest(tenant, alice, { namespaces: [tenant, old] }),
    "provision-tenant",
  );
  const released = await rig.send("tenant.requested", aRequest(tenant, alice), "provision-tenant");
  expect(released.outcome.state).toBe("succeeded");
  const lift = await attempt(() =>
    rig.as(alice).patchNamespace({
      name: old,
      body: [{ op: "remove", path: "/metadata/labels/icn.akraino.org~1released-from" }],
    }),
  );
  expect(lift).toMatchObject({ ok: false, status: 403 });
});
