// icnctl replay against the real nats-server and an in-process host: to one function only, by id,
// sequence range, type and time, dry runs, the required reason, and the audit log.
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { subjectOf } from "../../schemas/events.ts";
import type { RuntimeConfig } from "../../shared/config.ts";
import { newEvent, publishEvent } from "../../shared/events.ts";
import { defineFunction, type AnyFunction } from "../../shared/function.ts";
import { REPLAY_ID_HEADER } from "../../shared/host/delivery.ts";
import type { Host } from "../../shared/host/host.ts";
import { natsConnection } from "../harness/servers.ts";
import {
  SideEffects,
  startTestHost,
  streamMessages,
  testConfig,
  waitForOutcome,
  waitUntil,
} from "../runtime/support.ts";
import { cliEnv, icnctl, json } from "./support.ts";

let nc: NatsConnection;
let config: RuntimeConfig;
let host: Host;
let effects: SideEffects;
let env: Record<string, string>;

// Two functions on the same event: a replay to one must never reach the other.
const recorder = (name: string): AnyFunction =>
  defineFunction({
    name,
    on: "node.joined",
    emits: ["node.kata-enabled"],
    handle: async (event, ctx) => {
      await effects.record({ fn: name, id: event.id, replay: ctx.replay });
      if (name === "alpha") await ctx.emit("node.kata-enabled", { node: event.data.node, reason: "test" });
    },
  });

const events = ["n1", "n2", "n3"].map((node) =>
  newEvent({ name: "node.joined", source: "urn:test:provisioner", data: { node } }),
);
const [e1, e2, e3] = events as [(typeof events)[0], (typeof events)[0], (typeof events)[0]];
const seqs: number[] = [];
let window: { since: string; until: string };

beforeAll(async () => {
  nc = await natsConnection();
  config = testConfig();
  effects = await SideEffects.create(nc, config);
  host = await startTestHost(nc, config, [recorder("alpha"), recorder("beta")]);
  env = cliEnv(config);
  const since = new Date().toISOString();
  for (const event of events) seqs.push((await publishEvent(jetstream(nc), config.prefix, event)).seq);
  const until = new Date().toISOString();
  window = { since, until };
  await new Promise((r) => setTimeout(r, 20));
  // Outside the time window: a later event no selection by time may pick up.
  await publishEvent(
    jetstream(nc),
    config.prefix,
    newEvent({ name: "node.joined", source: "urn:test:provisioner", data: { node: "late" } }),
  );
  for (const event of events)
    for (const fn of ["alpha", "beta"]) await waitForOutcome(host, event, fn, ["succeeded"]);
});
afterAll(async () => {
  await host.drain();
  await nc.close();
});

const handled = async (fn: string, id: string, replay: boolean): Promise<number> =>
  (await effects.all()).filter((e) => e.fn === fn && e.id === id && e.replay === replay).length;
const replayMessages = async (fn: string): Promise<Awaited<ReturnType<typeof streamMessages>>> =>
  streamMessages(nc, config.eventsStream, `${config.prefix}._replay.${fn}.>`);

test("--dry-run lists what would be replayed and publishes nothing", async () => {
  const result = await icnctl(
    ["replay", "--id", e1.id, "--to", "alpha", "--dry-run", "--reason", "look first", "-o", "json"],
    env,
  );
  expect(result.code).toBe(0);
  expect(json(result)).toMatchObject({
    dryRun: true,
    to: ["alpha"],
    events: [{ seq: seqs[0], id: e1.id, type: e1.type, functions: ["alpha"] }],
  });
  const table = await icnctl(
    ["replay", "--id", e1.id, "--to", "alpha", "--dry-run", "--reason", "look first"],
    env,
  );
  expect(table.stdout).toMatch(new RegExp(`^${seqs[0]} +${e1.id} +node\\.joined +alpha$`, "m"));
  expect(table.stdout).toMatch(/dry run: would replay 1 event to alpha; nothing was published/);
  expect(await replayMessages("alpha")).toHaveLength(0);
  expect(json(await icnctl(["replay", "log", "-o", "json"], env))).toEqual([]);
});

test("without --reason, or without a selector, nothing is replayed and the exit code is 2", async () => {
  const noReason = await icnctl(["replay", "--id", e1.id, "--to", "alpha"], env);
  expect(noReason.code).toBe(2);
  expect(noReason.stderr).toMatch(/^error: --reason is required.*; add --reason/);
  const noSelector = await icnctl(["replay", "--to", "alpha", "--reason", "everything"], env);
  expect(noSelector.code).toBe(2);
  expect(noSelector.stderr).toMatch(/say which events to replay; use --id/);
  expect(await replayMessages("alpha")).toHaveLength(0);
});

test("a replay by id to one function is handled by that function and never reaches the other", async () => {
  const before = new Date().toISOString();
  const result = await icnctl(
    ["replay", "--id", e1.id, "--to", "alpha", "--reason", "OPS-1: labels lost", "-o", "json"],
    env,
  );
  expect(result.code).toBe(0);
  const { replayId } = json<{ replayId: string }>(result);
  expect((await waitForOutcome(host, e1, "alpha", ["succeeded"], before)).replay).toBe(true);
  await waitUntil("alpha to handle the replay", async () =>
    (await handled("alpha", e1.id, true)) === 1 ? true : undefined,
  );
  const [copy] = await replayMessages("alpha");
  const [original] = (
    await streamMessages(nc, config.eventsStream, subjectOf(config.prefix, "node.joined"))
  ).filter((m) => m.headers["ce-id"]?.[0] === e1.id);
  expect(copy?.subject).toBe(`${config.prefix}._replay.alpha.node.joined`);
  expect(Buffer.from(copy!.data).equals(Buffer.from(original!.data))).toBe(true);
  expect(copy?.headers[REPLAY_ID_HEADER]).toEqual([replayId]);
  expect(copy?.headers["Nats-Msg-Id"]).toEqual([`${replayId}:alpha:${seqs[0]}`]);
  for (const [name, values] of Object.entries(original!.headers))
    if (name !== "Nats-Msg-Id") expect(copy?.headers[name]).toEqual(values);
  // beta's consumer filters only its own replay subject, and nothing was published there.
  expect(await replayMessages("beta")).toHaveLength(0);
  expect(await handled("beta", e1.id, true)).toBe(0);
  expect((await host.outcomes.get(e1, "beta"))?.replay).toBe(false);
});

test("a replay by sequence range and type reaches only the events in the range", async () => {
  const args = [
    "replay",
    "--from-seq",
    String(seqs[1]),
    "--to-seq",
    String(seqs[2]),
    "--type",
    "node.joined",
    "--to",
    "beta",
    "--reason",
    "range",
  ];
  const result = await icnctl([...args, "-o", "json"], env);
  expect(json<{ events: { id: string }[] }>(result).events.map((e) => e.id)).toEqual([e2.id, e3.id]);
  await waitUntil("beta to handle both replays", async () =>
    (await handled("beta", e2.id, true)) + (await handled("beta", e3.id, true)) === 2 ? true : undefined,
  );
  expect(await handled("beta", e1.id, true)).toBe(0);
  expect((await replayMessages("beta")).map((m) => m.headers["ce-id"]?.[0])).toEqual([e2.id, e3.id]);
  expect(await handled("alpha", e2.id, true)).toBe(0);
});

test("a time range selects the events stored in it (dry run)", async () => {
  const result = await icnctl(
    [
      "replay",
      "--since",
      window.since,
      "--until",
      window.until,
      "--to",
      "alpha",
      "--dry-run",
      "--reason",
      "window",
      "-o",
      "json",
    ],
    env,
  );
  expect(json<{ events: { id: string }[] }>(result).events.map((e) => e.id)).toEqual([e1.id, e2.id, e3.id]);
});

test("without --to, every function whose consumer takes the event gets it; result events are skipped with a note", async () => {
  const alphaBefore = await handled("alpha", e3.id, true);
  const result = (await host.outcomes.get(e1, "alpha"))?.results[0];
  const replay = await icnctl(
    ["replay", "--id", e3.id, "--id", result!, "--reason", "both", "-o", "json"],
    env,
  );
  expect(replay.code).toBe(0);
  expect(json(replay)).toMatchObject({
    to: ["alpha", "beta"],
    events: [{ id: e3.id, functions: ["alpha", "beta"] }],
    skipped: [{ id: result, type: "node.kata-enabled" }],
  });
  expect(replay.stderr).toMatch(/note: skipped seq \d+ \(.*\): node\.kata-enabled is a result event/);
  await waitUntil("both functions to handle the replay", async () =>
    (await handled("alpha", e3.id, true)) === alphaBefore + 1 && (await handled("beta", e3.id, true)) === 2
      ? true
      : undefined,
  );
});

test("nothing to replay exits 3: an unknown id, or a function that does not exist", async () => {
  const unknown = await icnctl(["replay", "--id", "no-such-event", "--reason", "x"], env);
  expect(unknown.code).toBe(3);
  expect(unknown.stderr).toMatch(/note: no stored event has id no-such-event/);
  const nobody = await icnctl(["replay", "--id", e1.id, "--to", "gamma", "--reason", "x"], env);
  expect(nobody.code).toBe(3);
  expect(nobody.stderr).toMatch(/no function "gamma" consumes .*; known: alpha, beta/);
});

test("replay log shows who replayed what, when, to which functions and why", async () => {
  const table = await icnctl(["replay", "log"], env);
  expect(table.stdout).toMatch(/^TIME +KIND +WHO +REASON +FUNCTIONS +COUNT +REPLAY ID$/m);
  expect(table.stdout).toMatch(/replay +test-operator +OPS-1: labels lost +alpha +1 +replay-/);
  const records = json<
    { reason: string; who: string; to: string[]; events: { seq: number; id: string; type: string }[] }[]
  >(await icnctl(["replay", "log", "--output", "json"], env));
  expect(records.map((r) => r.reason)).toEqual(["OPS-1: labels lost", "range", "both"]);
  expect(records[0]).toMatchObject({
    kind: "replay",
    who: "test-operator",
    to: ["alpha"],
    events: [{ seq: seqs[0], id: e1.id, type: e1.type }],
  });
  const jsm = await jetstreamManager(nc);
  expect(
    (await jsm.streams.info(`${config.eventsStream.replace(/_EVENTS$/, "")}_AUDIT`)).state.messages,
  ).toBe(3);
});
