// K: a compromised quarantine-runc-pod cannot point a consumer at every event; it still pulls and acks its own.
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { functionsByName } from "../../functions/index.ts";
import { subjectOf, type EventName } from "../../schemas/events.ts";
import { FIXTURES } from "../../schemas/fixtures.ts";
import { configFromEnv, type RuntimeConfig } from "../../shared/config.ts";
import { newEvent, publishEvent } from "../../shared/events.ts";
import { consumerConfig } from "../../shared/host/streams.ts";
import { provisionAsProvisioner, startPrivateNats, type PrivateNats } from "../deploy/nats-server.ts";
import { consumerAttacks, pullOwn } from "./k-consumer-attacks.ts";

const FN = "quarantine-runc-pod";
let bus: PrivateNats;
let config: RuntimeConfig;
const open: NatsConnection[] = [];

async function as(user: string): Promise<NatsConnection> {
  const nc = await bus.connectAs(user);
  open.push(nc);
  return nc;
}

const publishAs = async (user: string, name: EventName): Promise<void> => {
  const event = newEvent({ name, source: "urn:icn:security:k", data: FIXTURES[name]() });
  await publishEvent(jetstream(await as(user)), config.prefix, event);
};

beforeAll(async () => {
  bus = await startPrivateNats();
  config = configFromEnv({ NATS_URL: bus.url, ICN_NATS_PROVISIONING: "bind" });
  // The deploy's icn-provision Job: the provisioner makes the streams and every function's consumer.
  await provisionAsProvisioner(bus, config, functionsByName([], {}));
  // What the attacker is after (a request carrying its ticket), and the function's own work.
  await publishAs("ingress", "tenant.requested");
  await publishAs("pod-watcher", "pod.unsafe");
});
afterAll(async () => {
  await Promise.all(open.map((nc) => nc.close().catch(() => undefined)));
  await bus?.stop();
});

test("quarantine-runc-pod's user cannot re-filter its consumer to <prefix>.>, nor create a durable or ephemeral one", async () => {
  const attacks = await consumerAttacks(await as(FN), config, FN);
  const outcomes: string[] = [];
  for (const { what, attempt } of attacks)
    outcomes.push(
      await attempt().then(
        () => `${what}: ALLOWED`,
        (err: unknown) => `${what}: ${/Permissions Violation/.test(String(err)) ? "refused" : String(err)}`,
      ),
    );
  expect(outcomes).toEqual(attacks.map(({ what }) => `${what}: refused`));
  const operator = await jetstreamManager(await as("operator"));
  const own = await operator.consumers.info(config.eventsStream, FN);
  expect(own.config.filter_subjects).toEqual(
    consumerConfig(config, functionsByName([FN], {})[0]!).filter_subjects,
  );
  const consumers: string[] = [];
  for await (const c of operator.consumers.list(config.eventsStream)) consumers.push(c.name);
  expect(consumers.sort()).toEqual(
    functionsByName([], {})
      .map((f) => f.name)
      .sort(),
  );
});

test("it reads no tenant.requested; it still pulls and acks its own pod.unsafe", async () => {
  const subjects = await pullOwn(await as(FN), config, FN);
  expect(subjects).not.toContain(subjectOf(config.prefix, "tenant.requested"));
  expect(subjects).toEqual([subjectOf(config.prefix, "pod.unsafe")]);
  const info = await (await jetstreamManager(await as("operator"))).consumers.info(config.eventsStream, FN);
  expect({ pending: info.num_pending, unacked: info.num_ack_pending }).toEqual({ pending: 0, unacked: 0 });
});
