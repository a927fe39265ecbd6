// M: a tenant admin cannot give a Service externalIPs (CVE-2020-8554: it would intercept other tenants' traffic to them).
import { CoreV1Api, type V1Service } from "@kubernetes/client-node";
import { attempt } from "../deploy/identities.ts";
import { kubeConfig } from "../harness/servers.ts";
import { aTenantAdmin, refusedOnceEnforced, type TenantAdmin } from "./tenant-admin.ts";

const WHY = /externalIPs.*CVE-2020-8554/;
let alice: TenantAdmin;
let asAlice: CoreV1Api;

const aService = (name: string, externalIPs?: string[]): V1Service => ({
  metadata: { name },
  spec: { selector: { app: "web" }, ports: [{ port: 80 }], externalIPs },
});

beforeAll(async () => {
  alice = await aTenantAdmin("m-ext-ips");
  asAlice = alice.kc.makeApiClient(CoreV1Api);
  const body = aService("probe", ["203.0.113.9"]);
  await refusedOnceEnforced(() =>
    asAlice.createNamespacedService({ namespace: alice.namespace, body, dryRun: "All" }),
  );
});

test("a Service with externalIPs is refused, saying why", async () => {
  const intercept = aService("intercept", ["203.0.113.10"]);
  const namespace = alice.namespace;
  const refused = await attempt(() => asAlice.createNamespacedService({ namespace, body: intercept }));
  expect(refused).toMatchObject({ ok: false, status: 403 });
  expect(refused.message).toMatch(WHY);
  expect(await attempt(() => asAlice.readNamespacedService({ name: "intercept", namespace }))).toMatchObject({
    status: 404,
  });
});

test("externalIPs added to an existing Service are refused, the Service stays as it was", async () => {
  const namespace = alice.namespace;
  await asAlice.createNamespacedService({ namespace, body: aService("web") });
  const service = await asAlice.readNamespacedService({ name: "web", namespace });
  const updated = { ...service, spec: { ...service.spec, externalIPs: ["203.0.113.11"] } };
  const refused = await attempt(() =>
    asAlice.replaceNamespacedService({ name: "web", namespace, body: updated }),
  );
  expect(refused).toMatchObject({ ok: false, status: 403 });
  expect(refused.message).toMatch(WHY);
  expect((await asAlice.readNamespacedService({ name: "web", namespace })).spec?.externalIPs).toBeUndefined();
});

test("an identity on the platform's list (the harness admin, in this test cluster) is not affected", async () => {
  const namespace = alice.namespace;
  const asPlatform = kubeConfig().makeApiClient(CoreV1Api);
  const body = aService("platform-ips", ["203.0.113.12"]);
  const created = await asPlatform.createNamespacedService({ namespace, body, dryRun: "All" });
  expect(created.spec?.externalIPs).toEqual(["203.0.113.12"]);
});
