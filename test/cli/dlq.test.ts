// icnctl dlq against the real nats-server and an in-process host: list, show, redrive (healed and
// still failing), purge.
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { RuntimeConfig } from "../../shared/config.ts";
import { IcnError } from "../../shared/errors.ts";
import { newEvent, publishEvent } from "../../shared/events.ts";
import { defineFunction } from "../../shared/function.ts";
import type { Host } from "../../shared/host/host.ts";
import { natsConnection } from "../harness/servers.ts";
import { startTestHost, streamMessages, testConfig, waitForOutcome } from "../runtime/support.ts";
import { cliEnv, icnctl, json } from "./support.ts";

let nc: NatsConnection;
let config: RuntimeConfig;
let host: Host;
let env: Record<string, string>;

/** Nodes whose handling fails transiently on every attempt, until the test heals them. */
const failing = new Set<string>();
const fragile = defineFunction({
  name: "fragile",
  on: "node.joined",
  emits: [],
  handle: (event) =>
    failing.has(event.data.node)
      ? Promise.reject(new IcnError("KUBE_UNAVAILABLE", `apiserver down for ${event.data.node}`))
      : Promise.resolve(),
});

const nodeJoined = (node: string): ReturnType<typeof newEvent> =>
  newEvent({ name: "node.joined", source: "urn:test:provisioner", data: { node } });
const healed = nodeJoined("healed");
const stuck = nodeJoined("stuck");

interface Listed {
  id: number;
  eventId: string;
  type: string;
  function: string;
  attempts: number;
  code: string;
  error: string;
}
const listed = async (): Promise<Listed[]> => json<Listed[]>(await icnctl(["dlq", "ls", "-o", "json"], env));
const idOf = async (eventId: string): Promise<number> =>
  (await listed()).find((d) => d.eventId === eventId)!.id;
const lettersOf = async (eventId: string): Promise<number> =>
  (await streamMessages(nc, config.deadLetterStream)).filter((m) => m.headers["ce-id"]?.[0] === eventId)
    .length;

beforeAll(async () => {
  nc = await natsConnection();
  config = testConfig();
  host = await startTestHost(nc, config, [fragile]);
  env = cliEnv(config);
  for (const [node, event] of [
    ["healed", healed],
    ["stuck", stuck],
  ] as const) {
    failing.add(node);
    await publishEvent(jetstream(nc), config.prefix, event);
    await waitForOutcome(host, event, "fragile", ["dead-lettered"]);
  }
});
afterAll(async () => {
  await host.drain();
  await nc.close();
});

test("dlq ls lists each dead letter: id, event id, type, function, attempts, last error, age", async () => {
  const letters = await listed();
  expect(letters).toEqual([
    expect.objectContaining({
      eventId: healed.id,
      type: "node.joined",
      function: "fragile",
      attempts: config.retry.attempts,
      code: "KUBE_UNAVAILABLE",
      error: "apiserver down for healed",
    }),
    expect.objectContaining({ eventId: stuck.id, function: "fragile", error: "apiserver down for stuck" }),
  ]);
  const table = await icnctl(["dlq", "ls"], env);
  expect(table.stdout).toMatch(/^ID +EVENT ID +TYPE +FUNCTION +ATTEMPTS +LAST ERROR +AGE$/m);
  expect(table.stdout).toMatch(
    new RegExp(
      `^${letters[0]!.id} +${healed.id} +node\\.joined +fragile +4 +KUBE_UNAVAILABLE: apiserver down for healed +\\d+[smhd]$`,
      "m",
    ),
  );
});

test("dlq show prints the full headers and the pretty-printed payload; an unknown id exits 3", async () => {
  const id = await idOf(healed.id);
  const table = await icnctl(["dlq", "show", String(id)], env);
  expect(table.stdout).toContain("Icn-Dlq-Function: fragile");
  expect(table.stdout).toContain(`ce-id: ${healed.id}`);
  expect(table.stdout).toContain('payload:\n{\n  "node": "healed"\n}');
  const shown = json<{ headers: Record<string, string[]>; payload: unknown }>(
    await icnctl(["dlq", "show", String(id), "-o", "json"], env),
  );
  expect(shown.payload).toEqual({ node: "healed" });
  expect(shown.headers["Icn-Dlq-Error-Code"]).toEqual(["KUBE_UNAVAILABLE"]);
  const missing = await icnctl(["dlq", "show", "999999"], env);
  expect(missing.code).toBe(3);
  expect(missing.stderr).toMatch(/^error: there is no dead letter 999999; list them with icnctl dlq ls\n$/);
});

const REASON = "OPS-7: apiserver back";

test("redriving a dead letter whose function now succeeds removes it", async () => {
  const id = await idOf(healed.id);
  failing.delete("healed");
  const result = await icnctl(["dlq", "redrive", String(id), "--reason", REASON, "-o", "json"], env);
  expect(result.code).toBe(0);
  expect(json(result)).toEqual([
    expect.objectContaining({
      id,
      eventId: healed.id,
      function: "fragile",
      result: "resolved",
      state: "succeeded",
    }),
  ]);
  expect((await host.outcomes.get(healed, "fragile"))?.state).toBe("succeeded");
  expect(await lettersOf(healed.id)).toBe(0);
  expect((await listed()).map((d) => d.eventId)).toEqual([stuck.id]);
});

interface Step {
  state: string;
  attempt: number;
  code?: string;
  via?: { kind: string; id: string; by?: string; reason?: string };
}

test("status <event-id> of a redriven event tells its history: each attempt, the dead letter, the redrive by whom", async () => {
  const [outcome] = json<{ state: string; via?: Step["via"]; history: Step[] }[]>(
    await icnctl(["status", healed.id, "-o", "json"], env),
  );
  const failed = Array.from({ length: config.retry.attempts - 1 }, (_, i) => ({
    state: "retrying",
    attempt: i + 1,
    code: "KUBE_UNAVAILABLE",
  }));
  expect(outcome?.history).toMatchObject([
    ...failed,
    { state: "dead-lettered", attempt: config.retry.attempts, code: "KUBE_UNAVAILABLE" },
  ]);
  const via = { kind: "redrive", by: "test-operator", reason: REASON };
  expect(outcome).toMatchObject({ state: "succeeded", via });
  const table = await icnctl(["status", healed.id], env);
  expect(table.stdout).toMatch(/^fragile +succeeded \(redrive\) +1 /m);
  expect(table.stdout).toContain("\nhistory of fragile:\n");
  expect(table.stdout).toMatch(/^TIME +STATE +ATTEMPT +ERROR +VIA$/m);
  expect(table.stdout).toMatch(/^\S+Z +retrying +1 +KUBE_UNAVAILABLE$/m);
  expect(table.stdout).toMatch(
    new RegExp(`^\\S+Z +dead-lettered +${config.retry.attempts} +KUBE_UNAVAILABLE$`, "m"),
  );
  expect(table.stdout).toMatch(/^\S+Z +succeeded +1 +redrive by test-operator: "OPS-7: apiserver back"$/m);
});

test("every redrive is audited beside the replays: replay log names it, who sent it, why, which dead letter", async () => {
  const [outcome] = json<{ via: { id: string } }[]>(await icnctl(["status", healed.id, "-o", "json"], env));
  const records = json<Record<string, unknown>[]>(await icnctl(["replay", "log", "-o", "json"], env));
  expect(records).toContainEqual(
    expect.objectContaining({
      kind: "redrive",
      replayId: outcome?.via.id,
      who: "test-operator",
      reason: REASON,
      to: ["fragile"],
      events: [{ seq: expect.any(Number) as number, id: healed.id, type: "node.joined" }],
    }),
  );
  const table = await icnctl(["replay", "log"], env);
  expect(table.stdout).toMatch(
    new RegExp(`^\\S+Z +redrive +test-operator +OPS-7: apiserver back +fragile +1 +${outcome?.via.id}$`, "m"),
  );
});

test("a redrive that fails again keeps exactly one dead letter (the original) and exits 4", async () => {
  const id = await idOf(stuck.id);
  const result = await icnctl(["dlq", "redrive", String(id), "--output", "json"], env);
  expect(result.code).toBe(4);
  expect(json(result)).toEqual([
    expect.objectContaining({
      id,
      result: "failed-again",
      state: "dead-lettered",
      error: "KUBE_UNAVAILABLE: apiserver down for stuck",
    }),
  ]);
  expect(result.stderr).toMatch(/^error: 1 of 1 dead letter\(s\) are still dead; see icnctl dlq show/);
  expect(await lettersOf(stuck.id)).toBe(1);
  expect((await listed()).map((d) => d.id)).toEqual([id]);
});

test("redrive --all --function resends every dead letter of the function: healed ones go, the rest stay (exit 4)", async () => {
  const [first, second] = [nodeJoined("batch-1"), nodeJoined("batch-2")];
  for (const [node, event] of [
    ["batch-1", first],
    ["batch-2", second],
  ] as const) {
    failing.add(node);
    await publishEvent(jetstream(nc), config.prefix, event);
    await waitForOutcome(host, event, "fragile", ["dead-lettered"]);
  }
  const stuckId = await idOf(stuck.id);
  failing.delete("batch-1");
  failing.delete("batch-2");
  const result = await icnctl(["dlq", "redrive", "--all", "--function", "fragile", "-o", "json"], env);
  expect(result.code).toBe(4);
  const outcomes = json<{ eventId: string; result: string }[]>(result);
  expect(outcomes.map((r) => [r.eventId, r.result])).toEqual([
    [stuck.id, "failed-again"],
    [first.id, "resolved"],
    [second.id, "resolved"],
  ]);
  expect((await listed()).map((d) => d.id)).toEqual([stuckId]);
});

test("redrive needs an id or --all (exit 2); an unknown id exits 3", async () => {
  expect((await icnctl(["dlq", "redrive"], env)).code).toBe(2);
  expect((await icnctl(["dlq", "redrive", "999999"], env)).code).toBe(3);
});

test("purge refuses without --yes when there is no terminal, and empties the dead letters with it", async () => {
  const refused = await icnctl(["dlq", "purge"], env);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toMatch(/refusing to purge without --yes .*; add --yes/);
  expect(await listed()).toHaveLength(1);
  expect(
    json(await icnctl(["dlq", "purge", "--function", "someone-else", "--yes", "-o", "json"], env)),
  ).toEqual({ purged: 0, function: "someone-else" });
  expect(await listed()).toHaveLength(1);
  const purged = await icnctl(["dlq", "purge", "--yes", "-o", "json"], env);
  expect(json(purged)).toEqual({ purged: 1, function: null });
  expect(await listed()).toEqual([]);
  expect((await icnctl(["dlq", "ls"], env)).stdout).toBe("no dead letters\n");
});
