// `icnctl provision` as the provisioner NATS user makes the bus; hosts bind to it and refuse to start when it is missing or changed.
import { jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { FUNCTION_NAMES, functionsByName } from "../../functions/index.ts";
import { inboxPrefix, PROVISIONER } from "../../deploy/nats/permissions.ts";
import { configFromEnv, type RuntimeConfig } from "../../shared/config.ts";
import { startHost } from "../../shared/host/host.ts";
import type { Provisioned } from "../../shared/host/provision-bus.ts";
import { consumerConfig } from "../../shared/host/streams.ts";
import { kubeFromConfig } from "../../shared/kube.ts";
import { createLogger } from "../../shared/logging.ts";
import { icnctl, json, type CliResult } from "../cli/support.ts";
import { kubeConfig } from "../harness/servers.ts";
import { startPrivateNats, violations, type PrivateNats } from "./nats-server.ts";

let server: PrivateNats;
let operator: NatsConnection;
let jsm: JetStreamManager;
const bound: RuntimeConfig = configFromEnv({ ICN_NATS_PROVISIONING: "bind" });
const [labelKataNode] = functionsByName(["label-kata-node"], {});
const fn = labelKataNode!;

beforeAll(async () => {
  server = await startPrivateNats();
  operator = await server.connectAs("operator");
  jsm = await jetstreamManager(operator);
  bound.natsUrl = server.url;
});
afterAll(async () => {
  await operator?.close();
  await server?.stop();
});

/** `icnctl provision`, as the Job runs it: the configuration's environment and one NATS user's credentials. */
function provision(user: string, ...args: string[]): Promise<CliResult> {
  return icnctl(["provision", ...args], {
    NATS_URL: server.url,
    ICN_SUBJECT_PREFIX: "icn",
    // The components' setting; the command creates whatever it says.
    ICN_NATS_PROVISIONING: "bind",
    NATS_USER: user,
    NATS_PASSWORD: server.passwordOf(user),
    NATS_INBOX_PREFIX: inboxPrefix(user),
  });
}

const startBound = (config: RuntimeConfig = bound): Promise<unknown> =>
  server.connectAs(fn.name).then(async (nc) => {
    try {
      const log = createLogger(fn.name, "silent");
      const host = await startHost({ functions: [fn], nc, kube: kubeFromConfig(kubeConfig()), config, log });
      await host.drain();
    } finally {
      await nc.close();
    }
  });

test("as the provisioner, `icnctl provision` creates the streams, the bucket and every consumer; again, it changes nothing", async () => {
  const first = await provision(PROVISIONER, "-o", "json");
  expect(first).toMatchObject({ code: 0, stderr: "" });
  const names = json<Provisioned[]>(first).map((s) => `${s.kind} ${s.name} ${s.action}`);
  expect(names).toEqual([
    "stream ICN_EVENTS created",
    "stream ICN_DLQ created",
    "bucket icn_outcomes created",
    ...FUNCTION_NAMES.map((name) => `consumer ${name} created`),
  ]);
  const again = json<Provisioned[]>(await provision(PROVISIONER, "-o", "json"));
  expect(again.map((s) => s.action)).toEqual(names.map(() => "unchanged"));
  const table = await provision(PROVISIONER);
  expect(table.stdout).toMatch(/^KIND +NAME +ACTION\nstream +ICN_EVENTS +unchanged\n/);
});

test("a function's own user cannot provision: the command says to connect as the provisioner", async () => {
  await jsm.consumers.delete(bound.eventsStream, "quarantine-runc-pod");
  const refused = await provision("quarantine-runc-pod", "quarantine-runc-pod");
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/consumer quarantine-runc-pod on ICN_EVENTS does not exist.*"provisioner"/);
  expect(await provision(PROVISIONER, "quarantine-runc-pod")).toMatchObject({ code: 0 });
});

describe("a host that binds (ICN_NATS_PROVISIONING=bind)", () => {
  test("starts with its own user on what the provisioner made", async () => {
    await expect(startBound()).resolves.toBeUndefined();
  });

  test("refuses to start when its consumer is missing, saying to run icnctl provision", async () => {
    await jsm.consumers.delete(bound.eventsStream, fn.name);
    await expect(startBound()).rejects.toMatchObject({
      code: "BUS_NOT_PROVISIONED",
      message: expect.stringMatching(
        /consumer label-kata-node on ICN_EVENTS does not exist; run `icnctl provision`/,
      ) as string,
    });
    // A host allowed to create tries, is refused by NATS, and says the same.
    await expect(startBound({ ...bound, provisioning: "create" })).rejects.toMatchObject({
      code: "BUS_NOT_PROVISIONED",
      message: expect.stringMatching(
        /does not exist and this NATS user may not fix it; run `icnctl provision`/,
      ) as string,
    });
  });

  test("refuses to start when its consumer's filter was changed, until provision puts it back", async () => {
    await provision(PROVISIONER, fn.name);
    await jsm.consumers.update(bound.eventsStream, fn.name, { filter_subjects: ["icn.>"] });
    await expect(startBound()).rejects.toMatchObject({
      code: "BUS_NOT_PROVISIONED",
      message: expect.stringMatching(
        /differs .*filter_subjects: have \["icn.>"\].*icnctl provision/,
      ) as string,
    });
    const fixed = json<Provisioned[]>(await provision(PROVISIONER, fn.name, "-o", "json"));
    expect(fixed.find((s) => s.kind === "consumer")).toEqual({
      kind: "consumer",
      name: fn.name,
      action: "updated",
    });
    const info = await jsm.consumers.info(bound.eventsStream, fn.name);
    expect(info.config.filter_subjects).toEqual(consumerConfig(bound, fn).filter_subjects);
    await expect(startBound()).resolves.toBeUndefined();
  });
});

describe("the provisioner may set the bus up and do nothing else", () => {
  let nc: NatsConnection;
  let refused: ReturnType<typeof violations>;
  beforeAll(async () => {
    nc = await server.connectAs(PROVISIONER);
    refused = violations(nc);
  });
  afterAll(() => nc.close());

  test.each([
    ["publishing tenant.requested", "icn.tenant.requested"],
    ["pulling from a function's consumer", "$JS.API.CONSUMER.MSG.NEXT.ICN_EVENTS.provision-tenant"],
    ["creating a consumer of its own", "$JS.API.CONSUMER.CREATE.ICN_EVENTS"],
    ["reading an outcome", "$JS.API.DIRECT.GET.KV_icn_outcomes.$KV.icn_outcomes.a.b.provision-tenant"],
    ["deleting a consumer", "$JS.API.CONSUMER.DELETE.ICN_EVENTS.provision-tenant"],
    ["deleting the events stream", "$JS.API.STREAM.DELETE.ICN_EVENTS"],
    ["purging the dead letters", "$JS.API.STREAM.PURGE.ICN_DLQ"],
  ])("%s", async (_, subject) => {
    await expect(nc.request(subject, "{}")).rejects.toMatchObject({
      cause: { name: "PermissionViolationError", operation: "publish", subject },
    });
  });

  test("subscribing to the events' raw subjects", async () => {
    nc.subscribe("icn.>");
    await refused("subscription", "icn.>");
  });
});
