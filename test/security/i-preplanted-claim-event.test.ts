// I: a claim a tenant admin plants in advance (the Event once read as the platform's) does not stop an eviction or deletion.
import { CoordinationV1Api, CoreV1Api, EventsV1Api } from "@kubernetes/client-node";
import type { NatsConnection } from "@nats-io/transport-node";
import { claimName } from "../../functions/quarantine-runc-pod/claims.ts";
import { PLATFORM_NAMESPACE } from "../../schemas/names.ts";
import { attempt } from "../deploy/identities.ts";
import type { FunctionRig } from "../functions/support.ts";
import { kubeConfig, natsConnection } from "../harness/servers.ts";
import { aLegacyNamespace, aPod, podExists, quarantineAsDeployed, unsafe } from "./quarantine-setup.ts";

let nc: NatsConnection;
let rig: FunctionRig;

beforeAll(async () => {
  nc = await natsConnection();
  rig = await quarantineAsDeployed(nc, "delete");
});
afterAll(async () => {
  await rig.stop();
  await nc.close();
});

test("claims planted in advance by the tenant admin (the old claim Event; a Lease where claims now live) do not stop a delete", async () => {
  const legacy = await aLegacyNamespace("i-event");
  const pod = await aPod(legacy.namespace);
  await legacy.adopt();
  const { name = "", namespace = "", uid = "" } = pod.metadata ?? {};
  // Under the name the platform once treated as its claim (core/v1 and events.k8s.io/v1 share Events).
  await legacy.kc.makeApiClient(CoreV1Api).createNamespacedEvent({
    namespace,
    body: {
      metadata: { name: `${name}.quarantined-${uid}` },
      involvedObject: { apiVersion: "v1", kind: "Pod", name, namespace, uid },
      reason: "Quarantined",
      message: "already handled, nothing to see",
      type: "Warning",
      source: { component: "icn.akraino.org/quarantine-runc-pod" },
    },
  });
  // Nor can the admin plant the claim itself: it lives in the platform's namespace.
  const forged = { metadata: { name: claimName(uid) }, spec: { holderIdentity: "mallory" } };
  const leases = legacy.kc.makeApiClient(CoordinationV1Api);
  expect(
    await attempt(() => leases.createNamespacedLease({ namespace: PLATFORM_NAMESPACE, body: forged })),
  ).toMatchObject({ ok: false, status: 403 });
  const { event, outcome } = await rig.send("pod.unsafe", unsafe(pod), "quarantine-runc-pod");
  expect(outcome).toMatchObject({ state: "succeeded" });
  expect((await rig.results(event.id))[0]?.data).toMatchObject({ action: "delete" });
  expect(await podExists(pod)).toBe(false);
  // People still see the platform's own Event beside the forged one.
  const events = await kubeConfig().makeApiClient(EventsV1Api).listNamespacedEvent({ namespace });
  expect(
    events.items.filter((e) => e.reason === "Quarantined" && e.note?.includes("then deleted")),
  ).toHaveLength(1);
});
