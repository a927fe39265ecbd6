// The NATS users are derived from the function definitions, and the checked-in files are what the generator writes.
import { readFileSync } from "node:fs";
import { load } from "js-yaml";
import { FUNCTION_NAMES, functionsByName } from "../../functions/index.ts";
import { EVENT_NAMES, isResultEvent } from "../../schemas/events.ts";
import { platformUsers, renderGenerated, USERS_CONF, VALUES_YAML } from "./generate.ts";
import { inboxPrefix, natsUsers, OPERATOR, SOURCES } from "./permissions.ts";

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

test("one user per function, per event source, and the operator", () => {
  expect(users.map((u) => u.user)).toEqual([...FUNCTION_NAMES, ...Object.keys(SOURCES), OPERATOR]);
});

describe.each(functionsByName([], {}).map((fn) => [fn.name, fn] as const))("%s", (name, fn) => {
  const { publish, subscribe } = userOf(name).permissions;

  test("emits exactly what its definition says, and no input event", () => {
    expect(eventSubjects(publish).sort()).toEqual(fn.emits.map((e) => `icn.${e}`).sort());
  });

  test("pulls from and acks its own durable consumer only", () => {
    const consumers = publish.filter((s) => s.includes(".CONSUMER.") || s.startsWith("$JS.ACK."));
    expect(consumers.every((s) => s.includes(`ICN_EVENTS.${name}`))).toBe(true);
    expect(publish).toContain(`$JS.API.CONSUMER.MSG.NEXT.ICN_EVENTS.${name}`);
  });

  test("writes its own outcomes and dead letters, and receives replies in its own inbox", () => {
    expect(publish).toContain(`$KV.icn_outcomes.*.*.${name}`);
    expect(publish).toContain(`dlq.icn.${name}`);
    expect(publish.filter((s) => s.startsWith("dlq."))).toHaveLength(1);
    expect(subscribe).toEqual([`${inboxPrefix(name)}.>`]);
  });

  test("cannot change a stream, and has no open-ended subject but its acks", () => {
    expect(
      publish.filter((s) => /STREAM\.(UPDATE|DELETE|PURGE)|\*$|>$/.test(s) && !s.startsWith("$JS.ACK.")),
    ).toEqual([]);
  });
});

test("the watchers publish their one event; the ingress the input events, never a result", () => {
  expect(eventSubjects(userOf("node-watcher").permissions.publish)).toEqual(["icn.node.joined"]);
  expect(eventSubjects(userOf("pod-watcher").permissions.publish)).toEqual(["icn.pod.unsafe"]);
  const inputs = EVENT_NAMES.filter((e) => !isResultEvent(e)).map((e) => `icn.${e}`);
  expect(eventSubjects(userOf("ingress").permissions.publish).sort()).toEqual(inputs.sort());
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
