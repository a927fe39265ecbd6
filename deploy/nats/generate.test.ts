// The NATS users are derived from the function definitions, and the checked-in files are what the generator writes.
import { readFileSync } from "node:fs";
import { load } from "js-yaml";
import { FUNCTION_NAMES, functionsByName } from "../../functions/index.ts";
import { EVENT_NAMES, isResultEvent } from "../../schemas/events.ts";
import { platformUsers, renderGenerated, USERS_CONF, VALUES_YAML } from "./generate.ts";
import { inboxPrefix, natsUsers, OPERATOR, PROVISIONER, SOURCES } from "./permissions.ts";

const users = platformUsers();
const userOf = (name: string): NonNullable<(typeof users)[number]> => {
  const user = users.find((u) => u.user === name);
  if (!user) throw new Error(`no NATS user ${name}`);
  return user;
};
const eventSubjects = (subjects: readonly string[]): string[] =>
  subjects.filter((s) => EVENT_NAMES.some((name) => s === `icn.${name}`));

test("the checked-in users.conf and values.yaml are what `node deploy/nats/generate.ts` writes", async () => {
  const stale = [...(await renderGenerated())]
    .filter(([path, content]) => readFileSync(path, "utf8") !== content)
    .map(([path]) => `${path} is stale: run \`node deploy/nats/generate.ts\``);
  expect(stale).toEqual([]);
});

test("one user per function, per event source, the provisioner and the operator", () => {
  expect(users.map((u) => u.user)).toEqual([
    ...FUNCTION_NAMES,
    ...Object.keys(SOURCES),
    PROVISIONER,
    OPERATOR,
  ]);
});

/** What creates or changes a stream or a consumer: the provisioner's alone. */
const WRITES_BUS = /\.(STREAM|CONSUMER)\.(DURABLE\.)?(CREATE|UPDATE|DELETE|PURGE)\b/;

describe.each(functionsByName([], {}).map((fn) => [fn.name, fn] as const))("%s", (name, fn) => {
  const { publish, subscribe } = userOf(name).permissions;

  test("emits exactly what its definition says, and no input event", () => {
    expect(eventSubjects(publish).sort()).toEqual(fn.emits.map((e) => `icn.${e}`).sort());
  });

  test("pulls from and acks its own durable consumer only, and cannot create or change it", () => {
    const consumers = publish.filter((s) => s.includes(".CONSUMER.") || s.startsWith("$JS.ACK."));
    expect(consumers.sort()).toEqual(
      [
        `$JS.API.CONSUMER.INFO.ICN_EVENTS.${name}`,
        `$JS.API.CONSUMER.MSG.NEXT.ICN_EVENTS.${name}`,
        `$JS.ACK.ICN_EVENTS.${name}.>`,
      ].sort(),
    );
  });

  test("writes its own outcomes and dead letters, and receives replies in its own inbox", () => {
    expect(publish).toContain(`$KV.icn_outcomes.*.*.${name}`);
    expect(publish).toContain(`dlq.icn.${name}`);
    expect(publish.filter((s) => s.startsWith("dlq."))).toHaveLength(1);
    expect(subscribe).toEqual([`${inboxPrefix(name)}.>`]);
  });

  test("cannot create or change a stream, and has no open-ended subject but its acks", () => {
    expect(
      publish.filter((s) => WRITES_BUS.test(s) || (/\*$|>$/.test(s) && !s.startsWith("$JS.ACK."))),
    ).toEqual([]);
  });
});

test("the watchers publish their own events; the ingress the input events, never a result", () => {
  expect(eventSubjects(userOf("node-watcher").permissions.publish)).toEqual([
    "icn.node.joined",
    "icn.node.kata-ready",
    "icn.node.kata-overdue",
  ]);
  expect(eventSubjects(userOf("pod-watcher").permissions.publish)).toEqual(["icn.pod.unsafe"]);
  const inputs = EVENT_NAMES.filter((e) => !isResultEvent(e)).map((e) => `icn.${e}`);
  expect(eventSubjects(userOf("ingress").permissions.publish).sort()).toEqual(inputs.sort());
});

test("the watchers and the ingress create or change no stream and no consumer of the events", () => {
  for (const source of Object.keys(SOURCES)) {
    const writes = userOf(source).permissions.publish.filter((s) => WRITES_BUS.test(s));
    // The ingress lists outcome keys through short-lived consumers on the bucket's stream, never the events'.
    expect(writes.filter((s) => !s.includes(".KV_icn_outcomes."))).toEqual([]);
  }
});

test("the provisioner creates and updates the three streams and each function's consumer, and nothing else", () => {
  const { publish, subscribe } = userOf(PROVISIONER).permissions;
  const streams = ["ICN_EVENTS", "ICN_DLQ", "KV_icn_outcomes"];
  expect(publish.sort()).toEqual(
    [
      "$JS.API.INFO",
      ...streams.flatMap((s) => ["INFO", "CREATE", "UPDATE"].map((call) => `$JS.API.STREAM.${call}.${s}`)),
      ...FUNCTION_NAMES.flatMap((fn) =>
        ["INFO", "DURABLE.CREATE"].map((call) => `$JS.API.CONSUMER.${call}.ICN_EVENTS.${fn}`),
      ),
    ].sort(),
  );
  expect(subscribe).toEqual([`${inboxPrefix(PROVISIONER)}.>`]);
});

test("another subject prefix gives other subjects and streams", () => {
  const [first] = natsUsers(functionsByName(["label-kata-node"], {}), "acme");
  expect(first?.permissions.publish).toContain("$JS.API.CONSUMER.MSG.NEXT.ACME_EVENTS.label-kata-node");
  expect(first?.permissions.publish).toContain("acme.node.kata-enabled");
});

test("values.yaml gives the chart every user, each with its password from the Secret", () => {
  const values = load(readFileSync(VALUES_YAML, "utf8")) as {
    config: {
      merge: { accounts: { ICN: { jetstream: string; users: { user: string; password: string }[] } } };
    };
    container: { env: Record<string, { valueFrom: { secretKeyRef: { key: string } } }> };
  };
  const account = values.config.merge.accounts.ICN;
  expect(account.jetstream).toBe("enabled");
  expect(account.users.map((u) => u.user)).toEqual(users.map((u) => u.user));
  for (const u of users) {
    expect(account.users.find((x) => x.user === u.user)?.password).toBe(`<< $${u.passwordVariable} >>`);
    expect(values.container.env[u.passwordVariable]?.valueFrom.secretKeyRef.key).toBe(u.user);
  }
  expect(readFileSync(USERS_CONF, "utf8")).not.toMatch(/password: "/);
});
