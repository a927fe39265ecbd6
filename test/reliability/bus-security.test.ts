// Bus security: a nats-server whose users come from the function definitions; each identity can do its job and nothing else.
import { CoreV1Api } from "@kubernetes/client-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { setTimeout as sleep } from "node:timers/promises";
import { FUNCTION_NAMES, functionsByName } from "../../functions/index.ts";
import { optionsFromEnv, quarantineRuncPod } from "../../functions/quarantine-runc-pod/index.ts";
import { EVENT_NAMES, isResultEvent, subjectOf, type EventName } from "../../schemas/events.ts";
import { FIXTURES } from "../../schemas/fixtures.ts";
import { configFromEnv } from "../../shared/config.ts";
import { newEvent, publishEvent } from "../../shared/events.ts";
import { startHost, type Host } from "../../shared/host/host.ts";
import { consumerConfig } from "../../shared/host/streams.ts";
import { startIngress, type Ingress } from "../../shared/ingress/server.ts";
import { parseSources } from "../../shared/ingress/sources.ts";
import { kubeFromConfig } from "../../shared/kube.ts";
import { createLogger } from "../../shared/logging.ts";
import { provisionAsProvisioner, startPrivateNats, type PrivateNats } from "../deploy/nats-server.ts";
import { kubeConfig, uniqueName } from "../harness/servers.ts";
import { waitUntil } from "../runtime/support.ts";
import { consumerAttacks, pullOwn } from "../security/k-consumer-attacks.ts";
import { ProbeLog } from "./probes.ts";
import { podUnsafe, unsafePods } from "./workload.ts";

const INPUTS = EVENT_NAMES.filter((n) => !isResultEvent(n));
// As deployed: every component binds to what the provisioner made, and may create nothing.
const config = configFromEnv({
  ICN_SUBJECT_PREFIX: "icn",
  ICN_HTTP_PORT: "0",
  ICN_NATS_PROVISIONING: "bind",
});
const functions = functionsByName([], {});
const log = createLogger("bus-security", "silent");

const probes = new ProbeLog();
const probe = probes.probe.bind(probes);
const save = (): void => probes.save();
let bus: PrivateNats;
let operator: NatsConnection;
const open: NatsConnection[] = [];
let host: Host | undefined;
let ingress: Ingress | undefined;

async function as(user: string): Promise<NatsConnection> {
  const nc = await bus.connectAs(user);
  open.push(nc);
  return nc;
}

beforeAll(async () => {
  bus = await startPrivateNats();
  // The provisioner sets the bus up, as the deploy's icn-provision Job does; the functions only bind.
  await provisionAsProvisioner(bus, config, functions);
  operator = await as("operator");
});
afterAll(async () => {
  save();
  await host?.drain().catch(() => undefined);
  await ingress?.close();
  await Promise.all(open.map((nc) => nc.close().catch(() => undefined)));
  await bus?.stop();
});

test("anonymous connections, wrong passwords and borrowed user names are refused", async () => {
  const results = [
    await probe("anonymous connection", "refused", () => connect({ servers: bus.url, timeout: 3000 })),
    await probe("wrong password", "refused", () =>
      bus.connectAs("quarantine-runc-pod", { password: "guess" }),
    ),
    await probe("operator name, empty password", "refused", () =>
      bus.connectAs("operator", { password: "" }),
    ),
  ];
  save();
  expect(results.map((r) => r.refused)).toEqual([true, true, true]);
});

const anEvent = (name: EventName): ReturnType<typeof newEvent> =>
  newEvent({ name, source: "urn:icn:reliability:bus", data: FIXTURES[name]() });

test.each(FUNCTION_NAMES)(
  "%s may emit its results but publish no input event (tenant.requested included)",
  async (name) => {
    const js = jetstream(await as(name));
    const fn = functions.find((f) => f.name === name)!;
    const inputs = [];
    for (const input of INPUTS)
      inputs.push(
        await probe(`${name} publishes ${input}`, "refused", () =>
          publishEvent(js, config.prefix, anEvent(input)),
        ),
      );
    const own = await probe(`${name} publishes ${fn.emits[0]}`, "allowed", () =>
      publishEvent(js, config.prefix, anEvent(fn.emits[0]!)),
    );
    const stored = await (
      await jetstreamManager(operator)
    ).streams.info(config.eventsStream, { subjects_filter: `${config.prefix}.>` });
    save();
    expect(inputs.map((p) => p.refused)).toEqual(INPUTS.map(() => true));
    expect(own.refused).toBe(false);
    for (const input of INPUTS) expect(stored.state.subjects?.[subjectOf(config.prefix, input)] ?? 0).toBe(0);
  },
);

test.each(FUNCTION_NAMES)("%s cannot read another function's consumer, events or outcomes", async (name) => {
  const nc = await as(name);
  const jsm = await jetstreamManager(nc);
  const others = FUNCTION_NAMES.filter((n) => n !== name);
  const results = [];
  for (const other of others) {
    results.push(
      await probe(`${name} reads consumer ${other}`, "refused", () =>
        jsm.consumers.info(config.eventsStream, other),
      ),
    );
    results.push(
      await probe(`${name} pulls from ${other}`, "refused", () =>
        nc.request(
          `$JS.API.CONSUMER.MSG.NEXT.${config.eventsStream}.${other}`,
          JSON.stringify({ batch: 1, no_wait: true }),
          { timeout: 3000 },
        ),
      ),
    );
    results.push(
      await probe(`${name} reads ${other}'s outcomes`, "refused", () =>
        nc.request(
          `$JS.API.DIRECT.GET.KV_${config.outcomesBucket}.$KV.${config.outcomesBucket}.a.b.${other}`,
          "",
          { timeout: 3000 },
        ),
      ),
    );
  }
  results.push(
    await probe(`${name} makes its own consumer on the events`, "refused", () =>
      jsm.consumers.add(config.eventsStream, {
        filter_subject: subjectOf(config.prefix, "tenant.requested"),
      }),
    ),
  );
  results.push(
    await probe(`${name} subscribes to ${config.prefix}.>`, "refused", () =>
      subscribeRefused(nc, `${config.prefix}.>`),
    ),
  );
  const own = await probe(`${name} reads its own consumer`, "allowed", () =>
    jsm.consumers.info(config.eventsStream, name),
  );
  save();
  expect(results.map((r) => r.refused)).toEqual(results.map(() => true));
  expect(own.refused).toBe(false);
});

test.each(FUNCTION_NAMES)(
  "%s cannot re-filter its own consumer to icn.> nor create one: it still pulls only its own events",
  async (name) => {
    const nc = await as(name);
    const attacks = [];
    for (const { what, attempt } of await consumerAttacks(nc, config, name))
      attacks.push(await probe(what, "refused", attempt));
    const pulled = await probe(`${name} pulls and acks its own consumer`, "allowed", () =>
      pullOwn(nc, config, name),
    );
    const own = await (await jetstreamManager(operator)).consumers.info(config.eventsStream, name);
    save();
    expect(attacks.map((p) => p.refused)).toEqual(attacks.map(() => true));
    expect(pulled.refused).toBe(false);
    const fn = functions.find((f) => f.name === name)!;
    expect(own.config.filter_subjects).toEqual(consumerConfig(config, fn).filter_subjects);
  },
);

test("the provisioner sets the bus up, and may read, publish or delete nothing", async () => {
  const nc = await as("provisioner");
  const request = (subject: string): Promise<unknown> => nc.request(subject, "{}", { timeout: 3000 });
  const results = [
    await probe("provisioner publishes tenant.requested", "refused", () =>
      publishEvent(jetstream(nc), config.prefix, anEvent("tenant.requested")),
    ),
    await probe("provisioner pulls a function's events", "refused", () =>
      request(`$JS.API.CONSUMER.MSG.NEXT.${config.eventsStream}.provision-tenant`),
    ),
    await probe("provisioner creates a consumer of its own", "refused", () =>
      request(`$JS.API.CONSUMER.CREATE.${config.eventsStream}`),
    ),
    await probe("provisioner deletes the events stream", "refused", () =>
      request(`$JS.API.STREAM.DELETE.${config.eventsStream}`),
    ),
    await probe(`provisioner subscribes to ${config.prefix}.>`, "refused", () =>
      subscribeRefused(nc, `${config.prefix}.>`),
    ),
  ];
  const fn = functions.find((f) => f.name === "provision-tenant")!;
  const own = await probe("provisioner updates a function's consumer", "allowed", async () =>
    (await jetstreamManager(nc)).consumers.update(config.eventsStream, fn.name, consumerConfig(config, fn)),
  );
  save();
  expect(results.map((r) => r.refused)).toEqual(results.map(() => true));
  expect(own.refused).toBe(false);
});

/** A core subscription the server refuses is closed with an error; an allowed one stays open. */
async function subscribeRefused(nc: NatsConnection, subject: string): Promise<void> {
  const sub = nc.subscribe(subject);
  const closed = await Promise.race([sub.closed, sleep(2000, "open" as const, { ref: false })]);
  if (closed === "open") return sub.unsubscribe();
  if (closed instanceof Error) throw closed;
}

test("quarantine-runc-pod's own credentials are enough to run it: a pod-watcher report is handled", async () => {
  const nc = await as("quarantine-runc-pod");
  host = await startHost({
    functions: [quarantineRuncPod(optionsFromEnv({}))],
    nc,
    kube: kubeFromConfig(kubeConfig()),
    config,
    log,
  });
  const [pod] = await unsafePods(kubeConfig().makeApiClient(CoreV1Api), uniqueName("bus"), 1);
  const event = podUnsafe(pod!, "urn:icn:reliability:bus");
  const watcher = await as("pod-watcher");
  const published = await probe("pod-watcher publishes pod.unsafe", "allowed", () =>
    publishEvent(jetstream(watcher), config.prefix, event),
  );
  const h = host;
  const outcome = await waitUntil("the pod.unsafe outcome", async () => {
    const o = await h.outcomes.get(event, "quarantine-runc-pod");
    return o && ["succeeded", "rejected", "dead-lettered"].includes(o.state) ? o : undefined;
  });
  await probe("quarantine-runc-pod handles it with its own user", "allowed", () =>
    outcome.state === "succeeded" ? Promise.resolve() : Promise.reject(new Error(`ended ${outcome.state}`)),
  );
  save();
  expect(published.refused).toBe(false);
  expect(outcome.state).toBe("succeeded");
});

describe("the ingress, connected as its own NATS user", () => {
  const TOKENS = { jira: "jira-token-0123456789abcdef", portal: "portal-token-0123456789abcdef" };
  beforeAll(async () => {
    const sources = parseSources([
      { name: "jira", token: TOKENS.jira, allowedTypes: ["tenant.requested"] },
      { name: "portal", token: TOKENS.portal, allowedTypes: ["tenant.requested", "pod.unsafe"] },
    ]);
    ingress = await startIngress({ nc: await as("ingress"), config, sources, log });
  });

  const post = async (token: string | undefined, source: string, name: EventName): Promise<number> => {
    const res = await fetch(`http://127.0.0.1:${ingress!.port}/events`, {
      method: "POST",
      headers: {
        "content-type": "application/cloudevents+json",
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ ...anEvent(name).toJSON(), source }),
    });
    return res.status;
  };
  const expectStatus = (what: string, status: number, expected: number): void => {
    probes.http(what, status, expected);
    save();
    expect(status).toBe(expected);
  };

  test("refuses requests without a token or with an unknown one (401)", async () => {
    expectStatus(
      "ingress without a token",
      await post(undefined, "urn:icn:ingress:jira", "tenant.requested"),
      401,
    );
    expectStatus(
      "ingress with an unknown token",
      await post("not-a-token-0123456789", "urn:icn:ingress:jira", "tenant.requested"),
      401,
    );
  });

  test("refuses a source publishing as another source, or a type it may not send (403)", async () => {
    expectStatus(
      "jira's token, portal's source",
      await post(TOKENS.jira, "urn:icn:ingress:portal", "tenant.requested"),
      403,
    );
    expectStatus(
      "jira's token, look-alike source",
      await post(TOKENS.jira, "urn:icn:ingress:jira.evil.org", "tenant.requested"),
      403,
    );
    expectStatus(
      "jira sends pod.unsafe",
      await post(TOKENS.jira, "urn:icn:ingress:jira/OPS-1", "pod.unsafe"),
      403,
    );
  });

  test("accepts a source's own event (202) and publishes it with the ingress' NATS user", async () => {
    expectStatus(
      "jira's own tenant.requested",
      await post(TOKENS.jira, "urn:icn:ingress:jira/OPS-2", "tenant.requested"),
      202,
    );
  });
});
