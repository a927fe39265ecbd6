// F: an icn-quarantine NetworkPolicy planted before the platform writes it is replaced whole, never merged into.
import { NetworkingV1Api, type V1NetworkPolicy, type V1Pod } from "@kubernetes/client-node";
import type { NatsConnection } from "@nats-io/transport-node";
import { FIELD_MANAGER, QUARANTINE_POLICY } from "../../functions/quarantine-runc-pod/index.ts";
import { QUARANTINE_LABEL } from "../../schemas/names.ts";
import { foreignManagers, MANAGED_BY } from "../../shared/kube-apply.ts";
import type { FunctionRig } from "../functions/support.ts";
import { kubeConfig, natsConnection } from "../harness/servers.ts";
import { aLegacyNamespace, aPod, quarantineAsDeployed, unsafe } from "./quarantine-setup.ts";

const DENY_ALL = {
  podSelector: { matchLabels: { [QUARANTINE_LABEL]: "true" } },
  policyTypes: ["Ingress", "Egress"],
};
const net = kubeConfig().makeApiClient(NetworkingV1Api);
let nc: NatsConnection;
let rig: FunctionRig;

beforeAll(async () => {
  nc = await natsConnection();
  rig = await quarantineAsDeployed(nc);
});
afterAll(async () => {
  await rig.stop();
  await nc.close();
});

/** Quarantines the pod, then reads the policy back as stored. */
async function policyAfterQuarantine(pod: V1Pod): Promise<V1NetworkPolicy> {
  const { event, outcome } = await rig.send("pod.unsafe", unsafe(pod), "quarantine-runc-pod");
  expect(outcome).toMatchObject({ state: "succeeded" });
  expect((await rig.results(event.id))[0]?.type).toBe("org.akraino.icn.pod.quarantined");
  return net.readNamespacedNetworkPolicy({
    name: QUARANTINE_POLICY,
    namespace: pod.metadata?.namespace ?? "",
  });
}

function expectDenyAllOwnedWhole(policy: V1NetworkPolicy): void {
  expect(policy.spec?.podSelector).toEqual(DENY_ALL.podSelector);
  expect(policy.spec?.policyTypes).toEqual(DENY_ALL.policyTypes);
  expect(policy.spec?.ingress ?? []).toEqual([]);
  expect(policy.spec?.egress ?? []).toEqual([]);
  expect(policy.metadata?.labels).toMatchObject(MANAGED_BY);
  expect(foreignManagers(policy, FIELD_MANAGER)).toEqual([]);
}

test("planted with allow-all rules by the namespace's user before adoption: replaced by the deny-all", async () => {
  const legacy = await aLegacyNamespace("f-planted");
  const pod = await aPod(legacy.namespace);
  await legacy.kc.makeApiClient(NetworkingV1Api).createNamespacedNetworkPolicy({
    namespace: legacy.namespace,
    body: {
      metadata: { name: QUARANTINE_POLICY },
      spec: { ...DENY_ALL, ingress: [{}], egress: [{}] },
    },
  });
  await legacy.adopt();
  expectDenyAllOwnedWhole(await policyAfterQuarantine(pod));
});

test("planted by the tenant's admin after adoption (egress only, as the guards allow): still replaced whole", async () => {
  const legacy = await aLegacyNamespace("f-tenant");
  const pod = await aPod(legacy.namespace);
  await legacy.adopt();
  // Egress only (the guards refuse a tenant's allow-all ingress): merged, it would re-open egress.
  await legacy.kc.makeApiClient(NetworkingV1Api).createNamespacedNetworkPolicy({
    namespace: legacy.namespace,
    body: {
      metadata: { name: QUARANTINE_POLICY },
      spec: { podSelector: DENY_ALL.podSelector, policyTypes: ["Egress"], egress: [{}] },
    },
  });
  expectDenyAllOwnedWhole(await policyAfterQuarantine(pod));
});
