// E: a tenant admin's NetworkPolicies neither select quarantined pods nor admit what the tenant's isolation policy refuses.
import { NetworkingV1Api, type V1NetworkPolicy, type V1NetworkPolicySpec } from "@kubernetes/client-node";
import { FIELD_MANAGER as PROVISION_MANAGER } from "../../functions/provision-tenant/index.ts";
import {
  FIELD_MANAGER as QUARANTINE_MANAGER,
  quarantinePolicy,
} from "../../functions/quarantine-runc-pod/index.ts";
import { PLATFORM_NAMESPACE, QUARANTINE_LABEL, TENANT_LABEL } from "../../schemas/names.ts";
import { apply } from "../../shared/kube-apply.ts";
import { attempt, serviceAccountKube } from "../deploy/identities.ts";
import { eventually } from "../harness/servers.ts";
import { aTenantAdmin, refusedOnceEnforced, type TenantAdmin } from "./tenant-admin.ts";

const SPARED = { key: QUARANTINE_LABEL, operator: "DoesNotExist" };
const WHY = /would admit traffic from outside tenant .*every ingress rule needs a from/;
let alice: TenantAdmin;
let net: NetworkingV1Api;

const aPolicy = (name: string, spec: V1NetworkPolicySpec): V1NetworkPolicy => ({ metadata: { name }, spec });
const create = (policy: V1NetworkPolicy, dryRun?: "All"): Promise<V1NetworkPolicy> =>
  net.createNamespacedNetworkPolicy({ namespace: alice.namespace, body: policy, dryRun });
const read = (name: string): Promise<V1NetworkPolicy> =>
  net.readNamespacedNetworkPolicy({ name, namespace: alice.namespace });
const selectingQuarantined = (name: string): V1NetworkPolicy =>
  aPolicy(name, {
    podSelector: { matchLabels: { [QUARANTINE_LABEL]: "true" } },
    policyTypes: ["Egress"],
    egress: [{}],
  });

beforeAll(async () => {
  alice = await aTenantAdmin("e-reopen");
  net = alice.kc.makeApiClient(NetworkingV1Api);
  // Both guards enforced: the validating one refuses allow-all ingress, the mutating one narrows.
  await refusedOnceEnforced(() => create(aPolicy("probe", { podSelector: {}, ingress: [{}] }), "All"));
  await eventually(async () => {
    const narrowed = await create(selectingQuarantined("probe"), "All");
    if (!narrowed.spec?.podSelector?.matchExpressions) throw new Error("not narrowed yet");
  });
});

describe("no NetworkPolicy a tenant writes selects a quarantined pod", () => {
  test("the issue's reopen-quarantined (allow all ingress and egress to quarantined pods) is refused", async () => {
    const reopen = aPolicy("reopen-quarantined", {
      podSelector: { matchLabels: { [QUARANTINE_LABEL]: "true" } },
      policyTypes: ["Ingress", "Egress"],
      ingress: [{}],
      egress: [{}],
    });
    const refused = await attempt(() => create(reopen));
    expect(refused).toMatchObject({ ok: false, status: 403 });
    expect(refused.message).toMatch(WHY);
    expect(await attempt(() => read("reopen-quarantined"))).toMatchObject({ status: 404 });
  });

  test("one that only re-opens their egress is stored narrowed to pods without the quarantine label", async () => {
    await create(selectingQuarantined("reopen-egress"));
    expect((await read("reopen-egress")).spec?.podSelector).toEqual({
      matchLabels: { [QUARANTINE_LABEL]: "true" },
      matchExpressions: [SPARED],
    });
  });

  test("a selector with expressions of its own keeps them and gains the requirement", async () => {
    const podSelector = { matchExpressions: [{ key: QUARANTINE_LABEL, operator: "Exists" }] };
    await create(aPolicy("reopen-exists", { podSelector, policyTypes: ["Egress"], egress: [{}] }));
    expect((await read("reopen-exists")).spec?.podSelector?.matchExpressions).toEqual([
      { key: QUARANTINE_LABEL, operator: "Exists" },
      SPARED,
    ]);
  });

  test("an update that drops the requirement gets it back", async () => {
    const stored = await read("reopen-egress");
    const podSelector = { matchLabels: { [QUARANTINE_LABEL]: "true" } };
    const body = { ...stored, spec: { ...stored.spec, podSelector } };
    await net.replaceNamespacedNetworkPolicy({ name: "reopen-egress", namespace: alice.namespace, body });
    expect((await read("reopen-egress")).spec?.podSelector?.matchExpressions).toEqual([SPARED]);
  });
});

describe("no NetworkPolicy a tenant writes admits traffic from outside the tenant", () => {
  const otherTenant = { matchLabels: { [TENANT_LABEL]: "someone-else" } };
  test.each([
    ["allow all ingress", [{}]],
    ["a rule with ports and no from", [{ ports: [{ port: 80 }] }]],
    ["every namespace", [{ _from: [{ namespaceSelector: {} }] }]],
    ["another tenant's namespaces", [{ _from: [{ namespaceSelector: otherTenant }] }]],
    ["any address", [{ _from: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }]],
    ["a safe peer beside an open one", [{ _from: [{ podSelector: {} }, { namespaceSelector: {} }] }]],
  ])("%s is refused, saying why and what is allowed", async (_, ingress) => {
    const refused = await attempt(() => create(aPolicy("open", { podSelector: {}, ingress })));
    expect(refused).toMatchObject({ ok: false, status: 403 });
    expect(refused.message).toMatch(WHY);
    expect(refused.message).toContain(`${TENANT_LABEL}=${alice.tenant}`);
  });

  test("ingress from the tenant's own namespaces and this namespace's pods is accepted, egress is free", async () => {
    const ownTenant = { matchLabels: { [TENANT_LABEL]: alice.tenant } };
    const ownByExpression = {
      matchExpressions: [{ key: TENANT_LABEL, operator: "In", values: [alice.tenant] }],
    };
    const spec: V1NetworkPolicySpec = {
      podSelector: { matchLabels: { app: "web" } },
      policyTypes: ["Ingress", "Egress"],
      ingress: [
        {
          _from: [
            { podSelector: {} },
            { namespaceSelector: ownTenant, podSelector: { matchLabels: { a: "b" } } },
          ],
        },
        { _from: [{ namespaceSelector: ownByExpression }], ports: [{ port: 8080, protocol: "TCP" }] },
      ],
      egress: [{}],
    };
    await create(aPolicy("tenant-only", spec));
    expect((await read("tenant-only")).spec?.ingress).toEqual(spec.ingress);
  });
});

describe("the platform's own identities are not affected", () => {
  test("quarantine-runc-pod's policy selects quarantined pods, as written", async () => {
    await apply(
      await serviceAccountKube("quarantine-runc-pod"),
      quarantinePolicy(alice.namespace),
      QUARANTINE_MANAGER,
    );
    expect((await read("icn-quarantine")).spec?.podSelector).toEqual({
      matchLabels: { [QUARANTINE_LABEL]: "true" },
    });
  });

  test("provision-tenant may admit the platform's namespace", async () => {
    const fromPlatform = { matchLabels: { "kubernetes.io/metadata.name": PLATFORM_NAMESPACE } };
    const isolation = {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "icn-tenant-isolation", namespace: alice.namespace },
      spec: {
        podSelector: {},
        policyTypes: ["Ingress"],
        ingress: [{ from: [{ namespaceSelector: fromPlatform }] }],
      },
    };
    await apply(await serviceAccountKube("provision-tenant"), isolation, PROVISION_MANAGER);
    const stored = await read("icn-tenant-isolation");
    expect(stored.spec?.podSelector).toEqual({});
    expect(stored.spec?.ingress?.[0]?._from).toEqual([{ namespaceSelector: fromPlatform }]);
  });
});
