// G (watcher and quarantine): a runc pod that arrives labelled quarantined is still reported, isolated and, by policy, removed.
import { NetworkingV1Api } from "@kubernetes/client-node";
import type { NatsConnection } from "@nats-io/transport-node";
import { QUARANTINE_POLICY } from "../../functions/quarantine-runc-pod/index.ts";
import { POD_WATCHER, type Watchers } from "../../shared/sources/index.ts";
import { QUARANTINE_LABEL } from "../../schemas/names.ts";
import { stableId } from "../../shared/events.ts";
import type { FunctionRig } from "../functions/support.ts";
import { kubeConfig, natsConnection } from "../harness/servers.ts";
import { waitForOutcome, waitUntil } from "../runtime/support.ts";
import {
  aLegacyNamespace,
  aPod,
  podExists,
  podWatcherFor,
  quarantineAsDeployed,
  unsafe,
  unsafeReports,
} from "./quarantine-setup.ts";

const net = kubeConfig().makeApiClient(NetworkingV1Api);
const labelled = { [QUARANTINE_LABEL]: "true" };
let nc: NatsConnection;
const rigs: FunctionRig[] = [];
const watchers: Watchers[] = [];

beforeAll(async () => {
  nc = await natsConnection();
});
afterAll(async () => {
  for (const w of watchers) await w.stop();
  for (const rig of rigs) await rig.stop();
  await nc.close();
});

test("the pod watcher reports a runc pod created already labelled, and quarantine gives it its deny-all policy", async () => {
  const legacy = await aLegacyNamespace("g-self");
  // Created by the cluster admin (the admission guard refuses the label to tenants), before adoption.
  const pod = await aPod(legacy.namespace, { labels: labelled });
  await legacy.adopt();
  const rig = await quarantineAsDeployed(nc);
  rigs.push(rig);
  watchers.push(await podWatcherFor(nc, rig.config, legacy.namespace));
  const reports = await waitUntil("a pod.unsafe report for the labelled pod", async () => {
    const found = await unsafeReports(nc, rig.config);
    return found.length ? found : undefined;
  });
  expect(reports).toEqual([expect.objectContaining({ pod: pod.metadata?.name, uid: pod.metadata?.uid })]);
  const report = { id: stableId(POD_WATCHER.name, pod.metadata?.uid ?? ""), source: POD_WATCHER.source };
  expect(await waitForOutcome(rig.host, report, "quarantine-runc-pod", ["succeeded"])).toBeDefined();
  const policy = await net.readNamespacedNetworkPolicy({
    name: QUARANTINE_POLICY,
    namespace: legacy.namespace,
  });
  expect(policy.spec?.podSelector).toEqual({ matchLabels: labelled });
  expect(policy.spec?.policyTypes).toEqual(["Ingress", "Egress"]);
  expect(policy.spec?.ingress ?? []).toEqual([]);
  expect(policy.spec?.egress ?? []).toEqual([]);
});

test("in delete mode, a runc pod that came labelled is deleted like any other", async () => {
  const legacy = await aLegacyNamespace("g-delete");
  const pod = await aPod(legacy.namespace, { labels: labelled });
  await legacy.adopt();
  const rig = await quarantineAsDeployed(nc, "delete");
  rigs.push(rig);
  const { event, outcome } = await rig.send("pod.unsafe", unsafe(pod), "quarantine-runc-pod");
  expect(outcome).toMatchObject({ state: "succeeded" });
  expect((await rig.results(event.id))[0]?.data).toMatchObject({ action: "delete" });
  expect(await podExists(pod)).toBe(false);
});
