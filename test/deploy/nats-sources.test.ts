// The generated NATS users of the event sources: each watcher publishes its one event, the ingress the inputs and reads outcomes.
import { jetstream, jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { functionsByName } from "../../functions/index.ts";
import { provisionTenant, optionsFromEnv } from "../../functions/provision-tenant/index.ts";
import { startWatchers, watcherOptionsFromEnv, type WatcherName } from "../../shared/sources/index.ts";
import { configFromEnv, type RuntimeConfig } from "../../shared/config.ts";
import { newEvent, publishEvent } from "../../shared/events.ts";
import { startHost } from "../../shared/host/host.ts";
import { OutcomeStore } from "../../shared/host/outcomes.ts";
import { kubeFromConfig } from "../../shared/kube.ts";
import { createLogger } from "../../shared/logging.ts";
import { kubeConfig, uniqueName } from "../harness/servers.ts";
import { waitForOutcome } from "../runtime/support.ts";
import { provisionAsProvisioner, startPrivateNats, type PrivateNats } from "./nats-server.ts";

const admin = kubeFromConfig(kubeConfig());
let server: PrivateNats;
let operator: NatsConnection;
let jsm: JetStreamManager;
let config: RuntimeConfig;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  server = await startPrivateNats();
  operator = await server.connectAs("operator");
  jsm = await jetstreamManager(operator);
  // As deployed: the provisioner made the bus; the watchers, the ingress and the host only check it.
  config = configFromEnv({ NATS_URL: server.url, ICN_NATS_PROVISIONING: "bind" });
  await provisionAsProvisioner(server, config, functionsByName([], {}));
});
afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await operator?.close();
  await server?.stop();
});

async function connectAs(user: string): Promise<NatsConnection> {
  const nc = await server.connectAs(user);
  closers.push(() => nc.close());
  return nc;
}

async function stored(subject: string): Promise<number> {
  const info = await jsm.streams
    .info(config.eventsStream, { subjects_filter: subject })
    .catch(() => undefined);
  return info?.state.subjects?.[subject] ?? 0;
}

const refusedPublish = (subject: string): object => ({
  cause: { name: "PermissionViolationError", operation: "publish", subject },
});

/** Runs the real watcher with its own NATS user (and the admin's view of the cluster) until it synced. */
async function runWatcher(name: WatcherName): Promise<NatsConnection> {
  const nc = await connectAs(name);
  const options = watcherOptionsFromEnv({ ICN_WATCHERS: name });
  const log = createLogger(name, "silent");
  const watchers = await startWatchers({ kube: admin, js: jetstream(nc), config, log, options });
  closers.push(() => watchers.stop());
  await watchers.synced;
  return nc;
}

test("node-watcher publishes node.joined (and its Kata hints), and nothing else", async () => {
  await admin.core.createNode({ body: { metadata: { name: uniqueName("unlabelled") } } });
  const nc = await runWatcher("node-watcher");
  expect(await stored("icn.node.joined")).toBeGreaterThan(0);
  await expect(jetstream(nc).publish("icn.pod.unsafe", "x")).rejects.toMatchObject(
    refusedPublish("icn.pod.unsafe"),
  );
  const next = "$JS.API.CONSUMER.MSG.NEXT.ICN_EVENTS.label-kata-node";
  await expect(nc.request(next, "{}")).rejects.toMatchObject(refusedPublish(next));
});

test("pod-watcher publishes pod.unsafe, and nothing else", async () => {
  const namespace = uniqueName("tenant");
  // A runc pod from before the namespace became a tenant's: the Kata floor refuses new ones.
  await admin.core.createNamespace({ body: { metadata: { name: namespace } } });
  const body = { metadata: { name: "legacy" }, spec: { containers: [{ name: "c", image: "x" }] } };
  await admin.core.createNamespacedPod({ namespace, body });
  const path = "/metadata/labels/icn.akraino.org~1tenant";
  await admin.core.patchNamespace({ name: namespace, body: [{ op: "add", path, value: namespace }] });
  const nc = await runWatcher("pod-watcher");
  expect(await stored("icn.pod.unsafe")).toBeGreaterThan(0);
  await expect(jetstream(nc).publish("icn.node.joined", "x")).rejects.toMatchObject(
    refusedPublish("icn.node.joined"),
  );
});

describe("the ingress", () => {
  test("publishes every input event and no result", async () => {
    const js = jetstream(await connectAs("ingress"));
    for (const subject of ["icn.tenant.requested", "icn.node.joined", "icn.pod.unsafe"])
      await expect(js.publish(subject, "{}")).resolves.toMatchObject({ stream: config.eventsStream });
    const result = "icn.tenant.provisioned";
    await expect(js.publish(result, "{}")).rejects.toMatchObject(refusedPublish(result));
  });

  test("reads what became of an event (the outcomes of every function)", async () => {
    const fn = provisionTenant(optionsFromEnv({}));
    const hostNc = await connectAs(fn.name);
    const host = await startHost({
      functions: [fn],
      nc: hostNc,
      kube: admin,
      config,
      log: createLogger("h", "silent"),
    });
    closers.push(() => host.drain());
    const event = newEvent({
      name: "tenant.requested",
      source: "urn:test:ingress",
      data: { tenant: "x", admins: [], bad: 1 },
    });
    await publishEvent(jetstream(operator), config.prefix, event);
    await waitForOutcome(host, event, fn.name, ["rejected"]);
    const outcomes = await OutcomeStore.open(await connectAs("ingress"), config.outcomesBucket);
    expect(await outcomes.forEventId(event.id)).toEqual([
      expect.objectContaining({ function: fn.name, state: "rejected" }),
    ]);
    expect(await outcomes.get(event, fn.name)).toMatchObject({ state: "rejected" });
  });

  test("cannot write outcomes or consume events", async () => {
    const nc = await connectAs("ingress");
    const key = "$KV.icn_outcomes.a.b.provision-tenant";
    await expect(jetstream(nc).publish(key, "{}")).rejects.toMatchObject(refusedPublish(key));
    const info = "$JS.API.CONSUMER.INFO.ICN_EVENTS.provision-tenant";
    await expect(nc.request(info, "{}")).rejects.toMatchObject(refusedPublish(info));
  });
});
