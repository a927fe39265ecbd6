// icnctl status against the real nats-server: per-function backlog and failures, and one event's outcomes.
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { DEFAULT_RETRY, retrySummary, type RuntimeConfig } from "../../shared/config.ts";
import { IcnError, permanent } from "../../shared/errors.ts";
import { newEvent, publishEvent } from "../../shared/events.ts";
import { defineFunction, type AnyFunction } from "../../shared/function.ts";
import type { Host } from "../../shared/host/host.ts";
import { ensureConsumer } from "../../shared/host/streams.ts";
import { natsConnection } from "../harness/servers.ts";
import { startTestHost, testConfig, waitForOutcome } from "../runtime/support.ts";
import { cliEnv, icnctl, json } from "./support.ts";

let nc: NatsConnection;
let config: RuntimeConfig;
let host: Host;
let env: Record<string, string>;

const fn = (name: string, handle: () => Promise<void>): AnyFunction =>
  defineFunction({ name, on: "node.joined", emits: [], handle });
const steady = fn("steady", () => Promise.resolve());
const broken = fn("broken", () => Promise.reject(new IcnError("KUBE_CONFLICT", "always conflicting")));
const picky = fn("picky", () => Promise.reject(permanent("POLICY_REFUSED", "not today")));
// Consumes nothing: its consumer exists but no host runs it, so its events stay pending.
const idle = fn("idle", () => Promise.resolve());

const event = newEvent({
  name: "node.joined",
  source: "urn:test:provisioner",
  data: { node: "status-node" },
});

beforeAll(async () => {
  nc = await natsConnection();
  config = testConfig();
  host = await startTestHost(nc, config, [steady, broken, picky]);
  await ensureConsumer(await jetstreamManager(nc), config, idle);
  env = cliEnv(config);
  await publishEvent(jetstream(nc), config.prefix, event);
  await waitForOutcome(host, event, "steady", ["succeeded"]);
  await waitForOutcome(host, event, "picky", ["rejected"]);
  await waitForOutcome(host, event, "broken", ["dead-lettered"]);
});
afterAll(async () => {
  await host.drain();
  await nc.close();
});

test("status shows each function's pending, in-flight, redeliveries, dead letters and last error", async () => {
  const rows = json<Record<string, unknown>[]>(await icnctl(["status", "-o", "json"], env));
  expect(rows).toEqual([
    {
      function: "broken",
      pending: 0,
      inFlight: 0,
      redeliveries: expect.any(Number) as number,
      deadLetters: 1,
      lastError: "KUBE_CONFLICT: always conflicting",
    },
    { function: "idle", pending: 1, inFlight: 0, redeliveries: 0, deadLetters: 0 },
    { function: "picky", pending: 0, inFlight: 0, redeliveries: 0, deadLetters: 0 },
    { function: "steady", pending: 0, inFlight: 0, redeliveries: 0, deadLetters: 0 },
  ]);
  const table = await icnctl(["status"], env);
  expect(table.stdout).toMatch(/^FUNCTION +PENDING +IN-FLIGHT +REDELIVERIES +DEAD LETTERS +LAST ERROR$/m);
  expect(table.stdout).toMatch(/^broken +0 +0 +\d+ +1 +KUBE_CONFLICT: always conflicting$/m);
  expect(table.stdout).toMatch(/^idle +1 +0 +0 +0$/m);
  // The platform's retry policy, so nobody has to work out when an event will be dead-lettered.
  expect(table.stdout).toContain(`\n${retrySummary(DEFAULT_RETRY).text}\n`);
});

test("status <event-id> shows what each function did with the event", async () => {
  const outcomes = json<Record<string, unknown>[]>(await icnctl(["status", event.id, "-o", "json"], env));
  expect(outcomes.map((o) => [o.function, o.state, o.attempts])).toEqual([
    ["broken", "dead-lettered", config.retry.attempts],
    ["picky", "rejected", 1],
    ["steady", "succeeded", 1],
  ]);
  expect(outcomes[1]).toMatchObject({
    error: { code: "POLICY_REFUSED", message: "not today" },
    event: { id: event.id },
  });
  const table = await icnctl(["status", event.id], env);
  expect(table.stdout).toMatch(/^FUNCTION +STATE +ATTEMPTS +ERROR +RESULTS +UPDATED$/m);
  expect(table.stdout).toMatch(/^picky +rejected +1 +POLICY_REFUSED: not today +\S+Z$/m);
});

test("status of an id nothing is known of exits 3 with what to do", async () => {
  const result = await icnctl(["status", "no-such-event"], env);
  expect(result.code).toBe(3);
  expect(result.stdout).toBe("");
  expect(result.stderr).toMatch(
    /^error: nothing is known of event no-such-event.*; check the id, or look for it with icnctl tail/,
  );
});

test("-o wide shows a long error whole where the table cuts it", async () => {
  const reason = `namespace acme-a5hd belongs to tenant acme-other, ${"and the useful part comes late ".repeat(2)}end`;
  const wordy = fn("wordy", () => Promise.reject(permanent("POLICY_REFUSED", reason)));
  const own = testConfig();
  const wordyHost = await startTestHost(nc, own, [wordy]);
  try {
    const joined = newEvent({ name: "node.joined", source: "urn:test:wide", data: { node: "wide-node" } });
    await publishEvent(jetstream(nc), own.prefix, joined);
    await waitForOutcome(wordyHost, joined, "wordy", ["rejected"]);
    const cut = await icnctl(["status", joined.id], cliEnv(own));
    expect(cut.stdout).toContain("POLICY_REFUSED: namespace acme-a5hd belongs to tenant acme-…");
    expect(cut.stdout).not.toContain("acme-other");
    const wide = await icnctl(["status", joined.id, "-o", "wide"], cliEnv(own));
    expect(wide.stdout).toContain(`POLICY_REFUSED: ${reason}`);
  } finally {
    await wordyHost.drain();
  }
});

test("status <event-id> lists what was emitted (type, data); status <result-id> names the event it answers", async () => {
  const answering = defineFunction({
    name: "answering",
    on: "node.joined",
    emits: ["node.kata-enabled"],
    handle: (joined, ctx) =>
      ctx.emit("node.kata-enabled", {
        node: joined.data.node,
        reason: "cpu-cpuid.VMX is true",
        runtimeClasses: ["kata-qemu"],
      }),
  });
  const own = testConfig();
  const answeringHost = await startTestHost(nc, own, [answering]);
  try {
    const joined = newEvent({ name: "node.joined", source: "urn:test:results", data: { node: "worker-7" } });
    await publishEvent(jetstream(nc), own.prefix, joined);
    const { results } = await waitForOutcome(answeringHost, joined, "answering", ["succeeded"]);
    const resultId = results[0] ?? "";
    const [outcome] = json<Record<string, unknown>[]>(
      await icnctl(["status", joined.id, "-o", "json"], cliEnv(own)),
    );
    expect(outcome?.emitted).toEqual([
      {
        id: resultId,
        type: "org.akraino.icn.node.kata-enabled",
        data: { node: "worker-7", reason: "cpu-cpuid.VMX is true", runtimeClasses: ["kata-qemu"] },
      },
    ]);
    const table = await icnctl(["status", joined.id], cliEnv(own));
    expect(table.stdout).toMatch(/^results:\nFUNCTION +TYPE +ID +DATA$/m);
    expect(table.stdout).toMatch(
      new RegExp(
        `^answering +node\\.kata-enabled +${resultId} +node=worker-7 reason="cpu-cpuid\\.VMX is true"$`,
        "m",
      ),
    );

    const ofResult = await icnctl(["status", resultId], cliEnv(own));
    expect(ofResult.code).toBe(0);
    expect(ofResult.stdout).toBe(
      `event ${resultId} is a result: node.kata-enabled emitted by answering for event ${joined.id} ` +
        `(node.joined from urn:test:results); see icnctl status ${joined.id}\n`,
    );
    expect(json(await icnctl(["status", resultId, "-o", "json"], cliEnv(own)))).toMatchObject({
      id: resultId,
      resultOf: {
        event: { id: resultId, type: "org.akraino.icn.node.kata-enabled" },
        function: "answering",
        cause: { id: joined.id, source: "urn:test:results", type: joined.type },
        data: { node: "worker-7" },
      },
      outcomes: [],
    });
  } finally {
    await answeringHost.drain();
  }
});
