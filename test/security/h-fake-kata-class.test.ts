// H: a class counts as Kata by its RuntimeClass's handler: `kata-fake` running runc, or a class that is gone, is unsafe.
import type { KubernetesObject, V1Pod } from "@kubernetes/client-node";
import type { NatsConnection } from "@nats-io/transport-node";
import { QUARANTINE_LABEL } from "../../schemas/names.ts";
import { apply } from "../../shared/kube-apply.ts";
import { kubeFromConfig } from "../../shared/kube.ts";
import type { FunctionRig } from "../functions/support.ts";
import { kubeConfig, natsConnection, uniqueName } from "../harness/servers.ts";
import { waitUntil } from "../runtime/support.ts";
import type { Watchers } from "../../shared/sources/index.ts";
import {
  aLegacyNamespace,
  aPod,
  podWatcherFor,
  quarantineAsDeployed,
  unsafe,
  unsafeReports,
} from "./quarantine-setup.ts";

const admin = kubeFromConfig(kubeConfig());
const aRuntimeClass = (name: string, handler: string): KubernetesObject =>
  ({ apiVersion: "node.k8s.io/v1", kind: "RuntimeClass", metadata: { name }, handler }) as KubernetesObject;
const fake = aRuntimeClass(uniqueName("kata-fake"), "runc");
let nc: NatsConnection;
let rig: FunctionRig;
let watchers: Watchers | undefined;

beforeAll(async () => {
  await apply(admin, fake, "test-setup");
  nc = await natsConnection();
  rig = await quarantineAsDeployed(nc);
});
afterAll(async () => {
  await watchers?.stop();
  await rig.stop();
  await nc.close();
  await admin.objects.delete(fake).catch(() => undefined);
});

/** Sends pod.unsafe and expects a quarantine: the pod.quarantined result and the label. */
async function expectQuarantined(pod: V1Pod): Promise<void> {
  const { event, outcome } = await rig.send("pod.unsafe", unsafe(pod), "quarantine-runc-pod");
  expect(outcome).toMatchObject({ state: "succeeded" });
  const [result] = await rig.results(event.id);
  expect(result?.type).toBe("org.akraino.icn.pod.quarantined");
  const stored = await admin.core.readNamespacedPod({
    name: pod.metadata?.name ?? "",
    namespace: pod.metadata?.namespace ?? "",
  });
  expect(stored.metadata?.labels?.[QUARANTINE_LABEL]).toBe("true");
}

test("a pod of a kata-named RuntimeClass whose handler is runc is quarantined", async () => {
  const legacy = await aLegacyNamespace("h-fake");
  const pod = await aPod(legacy.namespace, { runtimeClassName: fake.metadata?.name });
  await legacy.adopt();
  await expectQuarantined(pod);
});

test("the pod watcher reports it too, saying which handler gave it away", async () => {
  const legacy = await aLegacyNamespace("h-watch");
  const pod = await aPod(legacy.namespace, { runtimeClassName: fake.metadata?.name });
  await legacy.adopt();
  watchers = await podWatcherFor(nc, rig.config, legacy.namespace);
  const reports = await waitUntil("a pod.unsafe report", async () => {
    const found = (await unsafeReports(nc, rig.config)).filter((r) => r.pod === pod.metadata?.name);
    return found.length ? found : undefined;
  });
  expect(reports).toEqual([
    expect.objectContaining({
      uid: pod.metadata?.uid,
      reason: expect.stringMatching(/handler runc/) as string,
    }),
  ]);
});

test("a pod whose RuntimeClass no longer exists is quarantined, whatever the class was called", async () => {
  const gone = aRuntimeClass(uniqueName("kata-gone"), "kata-qemu");
  await apply(admin, gone, "test-setup");
  const legacy = await aLegacyNamespace("h-gone");
  const pod = await waitUntil("a pod in the new class", () =>
    aPod(legacy.namespace, { runtimeClassName: gone.metadata?.name }).catch(() => undefined),
  );
  await admin.objects.delete(gone);
  await legacy.adopt();
  await expectQuarantined(pod);
});
