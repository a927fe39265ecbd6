// The generated NATS users on a real nats-server: each function's host consumes and emits with its own user, and nothing more.
import { KubeConfig } from "@kubernetes/client-node";
import { jetstream, jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { functionsByName } from "../../functions/index.ts";
import { labelKataNode } from "../../functions/label-kata-node/index.ts";
import { optionsFromEnv, provisionTenant } from "../../functions/provision-tenant/index.ts";
import {
  optionsFromEnv as quarantineOptions,
  quarantineRuncPod,
} from "../../functions/quarantine-runc-pod/index.ts";
import { subjectOf, type EventName } from "../../schemas/events.ts";
import { configFromEnv, type RuntimeConfig } from "../../shared/config.ts";
import { newEvent, publishEvent } from "../../shared/events.ts";
import type { AnyFunction } from "../../shared/function.ts";
import { startHost } from "../../shared/host/host.ts";
import { deadLetterSubject } from "../../shared/host/streams.ts";
import type { Outcome, OutcomeState } from "../../shared/host/outcomes.ts";
import type { CloudEvent } from "cloudevents";
import { kubeFromConfig, type Kube } from "../../shared/kube.ts";
import { createLogger } from "../../shared/logging.ts";
import { kubeConfig, uniqueName } from "../harness/servers.ts";
import { waitForOutcome } from "../runtime/support.ts";
import { provisionAsProvisioner, startPrivateNats, violations, type PrivateNats } from "./nats-server.ts";

const admin = kubeFromConfig(kubeConfig());
let server: PrivateNats;
let operator: NatsConnection;
let jsm: JetStreamManager;
let config: RuntimeConfig;

beforeAll(async () => {
  server = await startPrivateNats();
  operator = await server.connectAs("operator");
  jsm = await jetstreamManager(operator);
  // As deployed: the provisioner made the bus, each host only binds to it.
  config = {
    ...configFromEnv({ NATS_URL: server.url, ICN_NATS_PROVISIONING: "bind" }),
    ackWaitMs: 5_000,
    retry: { attempts: 2, backoffMs: [50] },
  };
  await provisionAsProvisioner(server, config, functionsByName([], {}));
});
afterAll(async () => {
  await operator?.close();
  await server?.stop();
});

/** How many messages the events (or dead-letter) stream holds on one subject. */
async function stored(subject: string, stream = config.eventsStream): Promise<number> {
  const info = await jsm.streams.info(stream, { subjects_filter: subject }).catch(() => undefined);
  return info?.state.subjects?.[subject] ?? 0;
}

/** Runs the real host for `fn` as `user` until one event is settled, then drains it. */
async function oneEvent(
  fn: AnyFunction,
  kube: Kube,
  trigger: { name: EventName; data: unknown },
  states: OutcomeState[],
): Promise<{ event: CloudEvent<unknown>; outcome: Outcome }> {
  const { name, data } = trigger;
  const nc = await server.connectAs(fn.name);
  const host = await startHost({ functions: [fn], nc, kube, config, log: createLogger(fn.name, "silent") });
  try {
    const event = newEvent({ name, source: "urn:test:nats-users", data });
    await publishEvent(jetstream(operator), config.prefix, event);
    return { event, outcome: await waitForOutcome(host, event, fn.name, states) };
  } finally {
    await host.drain();
    await nc.close();
  }
}

async function causedBy(id: string, result: EventName): Promise<number> {
  const total = await stored(subjectOf(config.prefix, result));
  if (total === 0) return 0;
  const consumer = await jetstream(operator).consumers.get(config.eventsStream, {
    filter_subjects: [subjectOf(config.prefix, result)],
  });
  let count = 0;
  for await (const msg of await consumer.fetch({ max_messages: total, expires: 5000 })) {
    if (msg.headers?.get("ce-causeid") === id) count++;
    if (msg.info.pending === 0) break;
  }
  return count;
}

/** The server's answer to a publish (or a request) the user may not make. */
const refusedPublish = (subject: string): object => ({
  cause: { name: "PermissionViolationError", operation: "publish", subject },
});

describe("each function's user consumes its event and emits its results (the real host)", () => {
  test("provision-tenant: a request it must refuse becomes tenant.rejected", async () => {
    const fn = provisionTenant(optionsFromEnv({}));
    const data = { tenant: uniqueName("nats"), admins: [{ kind: "User", name: "a" }], unexpected: true };
    const { event, outcome } = await oneEvent(fn, admin, { name: "tenant.requested", data }, ["rejected"]);
    expect(outcome.state).toBe("rejected");
    expect(await causedBy(event.id, "tenant.rejected")).toBe(1);
  });

  test("label-kata-node: a capable node becomes node.kata-enabled", async () => {
    const labels = { "kubernetes.io/arch": "amd64", "feature.node.kubernetes.io/cpu-cpuid.VMX": "true" };
    const node = await admin.core.createNode({ body: { metadata: { name: uniqueName("nats"), labels } } });
    // No shims: RuntimeClasses are another suite's business; this one is about the bus.
    const { event, outcome } = await oneEvent(
      labelKataNode({ shims: [] }),
      admin,
      { name: "node.joined", data: { node: node.metadata?.name } },
      ["succeeded"],
    );
    expect(outcome.state).toBe("succeeded");
    expect(await causedBy(event.id, "node.kata-enabled")).toBe(1);
  });

  test("quarantine-runc-pod: a pod that does not exist becomes pod.cleared", async () => {
    const data = { namespace: uniqueName("absent"), pod: "gone" };
    const { event, outcome } = await oneEvent(
      quarantineRuncPod(quarantineOptions({})),
      admin,
      { name: "pod.unsafe", data },
      ["succeeded"],
    );
    expect(outcome.state).toBe("succeeded");
    expect(await causedBy(event.id, "pod.cleared")).toBe(1);
  });

  test("a function that keeps failing dead-letters to its own DLQ subject", async () => {
    const unreachable = new KubeConfig();
    unreachable.loadFromOptions({
      clusters: [{ name: "gone", server: "https://127.0.0.1:1", skipTLSVerify: true }],
      users: [{ name: "u", token: "t" }],
      contexts: [{ name: "gone", cluster: "gone", user: "u" }],
      currentContext: "gone",
    });
    const fn = quarantineRuncPod(quarantineOptions({}));
    const dlq = deadLetterSubject(config, fn.name);
    const before = await stored(dlq, config.deadLetterStream);
    const data = { namespace: "any", pod: "any" };
    const { outcome } = await oneEvent(fn, kubeFromConfig(unreachable), { name: "pod.unsafe", data }, [
      "dead-lettered",
    ]);
    expect(outcome.state).toBe("dead-lettered");
    expect(await stored(dlq, config.deadLetterStream)).toBe(before + 1);
  });
});

describe.each([
  ["provision-tenant", "label-kata-node"],
  ["label-kata-node", "quarantine-runc-pod"],
  ["quarantine-runc-pod", "provision-tenant"],
])("%s's user is refused anything else", (user, other) => {
  let nc: NatsConnection;
  let refused: ReturnType<typeof violations>;
  beforeAll(async () => {
    nc = await server.connectAs(user);
    refused = violations(nc);
  });
  afterAll(async () => {
    await nc.close();
  });

  test.each([
    ["publishing tenant.requested", "icn.tenant.requested"],
    [
      "publishing another function's result",
      user === "provision-tenant" ? "icn.pod.quarantined" : "icn.tenant.provisioned",
    ],
    ["dead-lettering as another function", `dlq.icn.${other}`],
    ["writing another function's outcomes", `$KV.icn_outcomes.a.b.${other}`],
  ])("%s", async (_, subject) => {
    const stream = subject.startsWith("dlq.")
      ? config.deadLetterStream
      : subject.startsWith("$KV")
        ? "KV_icn_outcomes"
        : config.eventsStream;
    const before = await stored(subject, stream);
    await expect(jetstream(nc).publish(subject, "x")).rejects.toMatchObject(refusedPublish(subject));
    expect(await stored(subject, stream)).toBe(before);
  });

  test.each([
    ["reading another function's consumer", `$JS.API.CONSUMER.INFO.ICN_EVENTS.${other}`],
    ["re-filtering its own consumer", `$JS.API.CONSUMER.DURABLE.CREATE.ICN_EVENTS.${user}`],
    ["creating a consumer of its own", "$JS.API.CONSUMER.CREATE.ICN_EVENTS"],
    ["creating the events stream", "$JS.API.STREAM.CREATE.ICN_EVENTS"],
    ["pulling from another function's consumer", `$JS.API.CONSUMER.MSG.NEXT.ICN_EVENTS.${other}`],
    ["changing the events stream", "$JS.API.STREAM.UPDATE.ICN_EVENTS"],
    ["deleting the events stream", "$JS.API.STREAM.DELETE.ICN_EVENTS"],
    ["purging the dead letters", "$JS.API.STREAM.PURGE.ICN_DLQ"],
  ])("%s", async (_, subject) => {
    await expect(nc.request(subject, "{}")).rejects.toMatchObject(refusedPublish(subject));
  });

  test.each([
    ["the events' raw subjects", "icn.>"],
    ["everyone's inboxes", "_INBOX.>"],
    ["another function's inbox", `_INBOX_${other}.>`],
  ])("subscribing to %s", async (_, subject) => {
    nc.subscribe(subject);
    await refused("subscription", subject);
  });
});

test("the same calls succeed for the operator: what was refused was a real, working request", async () => {
  await expect(jsm.consumers.info(config.eventsStream, "label-kata-node")).resolves.toMatchObject({
    name: "label-kata-node",
  });
  await expect(jetstream(operator).publish("icn.tenant.rejected", "{}")).resolves.toMatchObject({
    stream: config.eventsStream,
  });
});

test("anonymous connections and wrong passwords are refused", async () => {
  const { connect } = await import("@nats-io/transport-node");
  await expect(connect({ servers: server.url, maxReconnectAttempts: 0 })).rejects.toMatchObject({
    name: "AuthorizationError",
  });
  await expect(server.connectAs("provision-tenant", { password: "guess" })).rejects.toMatchObject({
    name: "AuthorizationError",
  });
});
