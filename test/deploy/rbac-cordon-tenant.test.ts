// cordon-tenant and uncordon-tenant with their own ServiceAccounts' tokens: they set a tenant's state, and can do nothing else.
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import type { NatsConnection } from "@nats-io/transport-node";
import { cordonTenant } from "../../functions/cordon-tenant/index.ts";
import { optionsFromEnv, provisionTenant } from "../../functions/provision-tenant/index.ts";
import { uncordonTenant } from "../../functions/uncordon-tenant/index.ts";
import { kubeFromConfig } from "../../shared/kube.ts";
import { tenantChangeOptionsFromEnv } from "../../shared/tenant-record.ts";
import { natsConnection, uniqueName } from "../harness/servers.ts";
import { functionRig, type FunctionRig } from "../functions/support.ts";
import {
  applyBaseRbac,
  attempt,
  can,
  platformIdentitiesForTests,
  serviceAccountConfig,
} from "./identities.ts";

const FUNCTIONS = ["cordon-tenant", "uncordon-tenant"] as const;
const tenant = uniqueName("rbac-cordon");
const as: Partial<Record<(typeof FUNCTIONS)[number], KubeConfig>> = {};
let nc: NatsConnection;
const rigs: FunctionRig[] = [];

beforeAll(async () => {
  await applyBaseRbac();
  nc = await natsConnection();
  for (const name of FUNCTIONS) as[name] = await serviceAccountConfig(name);
  const options = { ...optionsFromEnv({}), platformIdentities: await platformIdentitiesForTests() };
  const provisioner = await functionRig(nc, [provisionTenant(options)]);
  rigs.push(provisioner);
  const { outcome } = await provisioner.send(
    "tenant.requested",
    { tenant, admins: [{ kind: "User", name: `alice-${tenant}` }] },
    "provision-tenant",
  );
  expect(outcome).toMatchObject({ state: "succeeded" });
});
afterAll(async () => {
  for (const rig of rigs) await rig.stop();
  await nc.close();
});

test("each sets the tenant's state with its own token, proven by its probe", async () => {
  const states = tenantChangeOptionsFromEnv({});
  const cordoning = await functionRig(nc, [cordonTenant(states)], kubeFromConfig(as["cordon-tenant"]!));
  const lifting = await functionRig(nc, [uncordonTenant(states)], kubeFromConfig(as["uncordon-tenant"]!));
  rigs.push(cordoning, lifting);
  const cordoned = await cordoning.send(
    "tenant.cordon-requested",
    { tenant, reason: "RBAC test" },
    "cordon-tenant",
  );
  expect(cordoned.outcome).toMatchObject({ state: "succeeded" });
  const lifted = await lifting.send("tenant.uncordon-requested", { tenant }, "uncordon-tenant");
  expect(lifted.outcome).toMatchObject({ state: "succeeded" });
});

describe.each(FUNCTIONS)("%s: the apiserver allows exactly what it uses", (name) => {
  test.each([
    [
      "read and write ConfigMaps in icn-system",
      ["get", "create", "update"],
      { resource: "configmaps", namespace: "icn-system" },
    ],
    ["list namespaces", ["list"], { resource: "namespaces" }],
    ["create (dry-run) probe pods", ["create"], { resource: "pods", namespace: tenant }],
    [
      "read cordon bindings",
      ["get"],
      {
        group: "admissionregistration.k8s.io",
        resource: "validatingadmissionpolicybindings",
        name: `icn-tenant-cordon.${tenant}`,
      },
    ],
    ["create events", ["create"], { group: "events.k8s.io", resource: "events", namespace: tenant }],
  ])("may %s", async (_, verbs, attributes) => {
    for (const verb of verbs) expect(await can(as[name]!, { verb, ...attributes })).toBe(true);
  });

  test.each([
    ["delete ConfigMaps in icn-system", { verb: "delete", resource: "configmaps", namespace: "icn-system" }],
    ["write ConfigMaps in a tenant namespace", { verb: "create", resource: "configmaps", namespace: tenant }],
    ["patch namespaces", { verb: "patch", resource: "namespaces", name: tenant }],
    ["read secrets", { verb: "get", resource: "secrets", namespace: "icn-system" }],
    ["delete pods", { verb: "delete", resource: "pods", namespace: tenant }],
    ["evict pods", { verb: "create", resource: "pods", subresource: "eviction", namespace: tenant }],
    [
      "change a cordon binding",
      {
        verb: "delete",
        group: "admissionregistration.k8s.io",
        resource: "validatingadmissionpolicybindings",
      },
    ],
    [
      "change the cordon policy",
      {
        verb: "patch",
        group: "admissionregistration.k8s.io",
        resource: "validatingadmissionpolicies",
        name: "icn-tenant-cordon",
      },
    ],
  ])("may not %s", async (_, attributes) => {
    expect(await can(as[name]!, attributes)).toBe(false);
  });

  test("creates no real pod: only dry-run probes pass icn-provision-tenant-dry-run-pods", async () => {
    const body = {
      metadata: { name: uniqueName("real") },
      spec: { containers: [{ name: "c", image: "x" }] },
    };
    const mine = as[name]!.makeApiClient(CoreV1Api);
    expect(
      await attempt(() => mine.createNamespacedPod({ namespace: tenant, body, dryRun: "All" })),
    ).toMatchObject({ ok: true });
    const real = await attempt(() => mine.createNamespacedPod({ namespace: tenant, body }));
    expect(real).toMatchObject({ ok: false, status: 403 });
    expect(real.message).toMatch(/create pods only as server-side dry-runs/);
  });
});
