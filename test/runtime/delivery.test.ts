// The host against a real nats-server: retries, rejections, dead letters, de-duplication, bad input.
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { headers, type NatsConnection } from "@nats-io/transport-node";
import type { RuntimeConfig } from "../../shared/config.ts";
import { permanent, IcnError } from "../../shared/errors.ts";
import { newEvent, publishEvent } from "../../shared/events.ts";
import { defineFunction } from "../../shared/function.ts";
import { DLQ_HEADERS } from "../../shared/host/dead-letter.ts";
import type { Host } from "../../shared/host/host.ts";
import { OUTCOME_RETENTION_MS } from "../../shared/host/outcomes.ts";
import { subjectOf } from "../../schemas/events.ts";
import { publishRawHeaderBlock } from "../harness/raw-nats.ts";
import { natsConnection } from "../harness/servers.ts";
import {
  SideEffects,
  startTestHost,
  streamMessages,
  testConfig,
  waitForOutcome,
  waitUntil,
} from "./support.ts";

let nc: NatsConnection;
let config: RuntimeConfig;
let effects: SideEffects;
let host: Host;

const nodeJoined = (node: string): ReturnType<typeof newEvent> =>
  newEvent({ name: "node.joined", source: "urn:test:provisioner", data: { node } });

/** Handlers of "slow-…" nodes wait here until the test lets them finish. */
const gates = new Map<string, () => void>();

// Every behaviour keys off the node name, so one host serves all the cases below.
const worker = defineFunction({
  name: "worker",
  on: "node.joined",
  emits: ["node.kata-enabled"],
  handle: async (event, ctx) => {
    await effects.record({ id: event.id, attempt: ctx.attempt });
    const node = event.data.node;
    if (node.startsWith("stumbling") && ctx.attempt === 1)
      throw new IcnError("KUBE_UNAVAILABLE", "the first try found the apiserver down");
    if (node.startsWith("slow") || node.startsWith("stumbling"))
      await new Promise<void>((resolve) => gates.set(node, resolve));
    if (node.startsWith("flaky") && ctx.attempt <= 3)
      throw new IcnError("KUBE_UNAVAILABLE", `try ${ctx.attempt} failed`);
    if (node.startsWith("broken"))
      throw new IcnError("KUBE_CONFLICT", `still conflicting on try ${ctx.attempt}`);
    await ctx.emit("node.kata-enabled", { node, reason: "test" });
  },
});

const refuser = defineFunction({
  name: "refuser",
  on: "tenant.requested",
  emits: ["tenant.rejected"],
  rejects: "tenant.rejected",
  rejection: (event) => ({ tenant: (event.data as { tenant?: string }).tenant }),
  handle: async (event) => {
    await effects.record({ id: event.id });
    throw permanent("POLICY_REFUSED", "tenants are closed today");
  },
});

beforeAll(async () => {
  nc = await natsConnection();
  config = testConfig();
  host = await startTestHost(nc, config, [worker, refuser]);
  effects = await SideEffects.create(nc, config);
});
afterAll(async () => {
  await host.drain();
  await nc.close();
});

const callsFor = async (id: string): Promise<number> =>
  (await effects.all()).filter((e) => e.id === id).length;

test("a handler failing transiently three times then succeeding is delivered four times and succeeds", async () => {
  const event = nodeJoined("flaky-1");
  await publishEvent(jetstream(nc), config.prefix, event);
  const outcome = await waitForOutcome(host, event, "worker", ["succeeded"]);
  expect(outcome.attempts).toBe(4);
  expect(await callsFor(event.id)).toBe(4);
  expect(outcome.results).toHaveLength(1);
});

test("a permanent error is not retried; tenant.rejected carries the reason and ticket; the outcome is rejected", async () => {
  const event = newEvent({
    name: "tenant.requested",
    source: "urn:test:portal",
    data: {
      tenant: "acme",
      admins: [{ kind: "User", name: "alice" }],
      ticket: { system: "jira", id: "OPS-1" },
    },
  });
  await publishEvent(jetstream(nc), config.prefix, event);
  const outcome = await waitForOutcome(host, event, "refuser", ["rejected"]);
  expect(outcome.error).toEqual({ code: "POLICY_REFUSED", message: "tenants are closed today" });
  const results = await streamMessages(nc, config.eventsStream, subjectOf(config.prefix, "tenant.rejected"));
  const rejected = results.map((m) => ({
    headers: m.headers,
    data: JSON.parse(new TextDecoder().decode(m.data)) as Record<string, unknown>,
  }));
  const mine = rejected.find((r) => r.headers["ce-causeid"]?.[0] === event.id);
  expect(mine?.data).toEqual({
    tenant: "acme",
    code: "POLICY_REFUSED",
    reason: "tenants are closed today",
    ticket: { system: "jira", id: "OPS-1" },
  });
  await new Promise((r) => setTimeout(r, 300));
  expect(await callsFor(event.id)).toBe(1);
});

test("a handler that always fails is dead-lettered after the configured attempts with the original message intact", async () => {
  const event = nodeJoined("broken-1");
  const ack = await publishEvent(jetstream(nc), config.prefix, event);
  const outcome = await waitForOutcome(host, event, "worker", ["dead-lettered"]);
  expect(outcome.attempts).toBe(config.retry.attempts);
  expect(await callsFor(event.id)).toBe(config.retry.attempts);
  const original = (
    await streamMessages(nc, config.eventsStream, subjectOf(config.prefix, "node.joined"))
  ).find((m) => m.headers["ce-id"]?.[0] === event.id);
  const letter = (await streamMessages(nc, config.deadLetterStream)).find(
    (m) => m.headers["ce-id"]?.[0] === event.id,
  );
  expect(original && letter).toBeTruthy();
  expect(Buffer.from(letter!.data).equals(Buffer.from(original!.data))).toBe(true);
  for (const [name, values] of Object.entries(original!.headers)) {
    if (name === "Nats-Msg-Id") expect(letter!.headers[DLQ_HEADERS.originalMsgId]).toEqual(values);
    else expect(letter!.headers[name]).toEqual(values);
  }
  expect(letter!.headers[DLQ_HEADERS.function]).toEqual(["worker"]);
  expect(letter!.headers[DLQ_HEADERS.attempts]).toEqual([String(config.retry.attempts)]);
  expect(letter!.headers[DLQ_HEADERS.code]).toEqual(["KUBE_CONFLICT"]);
  expect(letter!.headers[DLQ_HEADERS.error]).toEqual([`still conflicting on try ${config.retry.attempts}`]);
  expect(letter!.headers[DLQ_HEADERS.streamSeq]).toEqual([String(ack.seq)]);
});

test("the same event published twice is handled once", async () => {
  const event = nodeJoined("twice-1");
  const first = await publishEvent(jetstream(nc), config.prefix, event);
  const second = await publishEvent(jetstream(nc), config.prefix, event, { mode: "structured" });
  expect(second.duplicate).toBe(true);
  expect(second.seq).toBe(first.seq);
  await waitForOutcome(host, event, "worker", ["succeeded"]);
  await new Promise((r) => setTimeout(r, 300));
  expect(await callsFor(event.id)).toBe(1);
});

test("a handler still running after a second shows as received, then as what it ended as", async () => {
  const event = nodeJoined("slow-1");
  await publishEvent(jetstream(nc), config.prefix, event);
  const running = await waitForOutcome(host, event, "worker", ["received"]);
  expect(running.attempts).toBe(1);
  expect(running.results).toEqual([]);
  gates.get("slow-1")!();
  const done = await waitForOutcome(host, event, "worker", ["succeeded"]);
  expect(done.results).toHaveLength(1);
  // The received record went first and was waited for: nothing late overwrites the final state.
  await new Promise((r) => setTimeout(r, 1500));
  expect((await host.outcomes.get(event, "worker"))?.state).toBe("succeeded");
});

test("while a retry runs long, its received record still shows why the attempt before failed", async () => {
  const event = nodeJoined("stumbling-1");
  await publishEvent(jetstream(nc), config.prefix, event);
  const running = await waitForOutcome(host, event, "worker", ["received"]);
  expect(running).toMatchObject({
    attempts: 2,
    error: { code: "KUBE_UNAVAILABLE", message: "the first try found the apiserver down" },
  });
  gates.get("stumbling-1")!();
  expect(await waitForOutcome(host, event, "worker", ["succeeded"])).toMatchObject({ attempts: 2 });
});

test("outcome records expire with the dead letters they describe, so the bucket does not grow for ever", async () => {
  const bucket = await (await jetstreamManager(nc)).streams.info(`KV_${config.outcomesBucket}`);
  const deadLetters = await (await jetstreamManager(nc)).streams.info(config.deadLetterStream);
  expect(bucket.config.max_age).toBe(OUTCOME_RETENTION_MS * 1_000_000);
  expect(bucket.config.max_age).toBe(deadLetters.config.max_age);
});

describe("malformed input ends rejected or dead-lettered with a reason, and the host keeps serving", () => {
  const raw = async (payload: string | Uint8Array, hdrs: Record<string, string>): Promise<number> => {
    const h = headers();
    for (const [k, v] of Object.entries(hdrs)) h.set(k, v);
    return (await jetstream(nc).publish(subjectOf(config.prefix, "node.joined"), payload, { headers: h }))
      .seq;
  };
  const binaryHeaders = (overrides: Record<string, string> = {}): Record<string, string> => ({
    "ce-specversion": "1.0",
    "ce-id": `bad-${Math.random()}`,
    "ce-source": "urn:test:fuzz",
    "ce-type": "org.akraino.icn.node.joined",
    "ce-datacontenttype": "application/json",
    ...overrides,
  });
  const deadLetterFor = (seq: number): Promise<Record<string, string[]>> =>
    waitUntil(`dead letter of stream message ${seq}`, async () => {
      const letters = await streamMessages(nc, config.deadLetterStream);
      return letters.find((l) => l.headers[DLQ_HEADERS.streamSeq]?.[0] === String(seq))?.headers;
    });

  test.each([
    ["not JSON (structured)", "{not json", { "Content-Type": "application/cloudevents+json" }, /JSON/i],
    ["no CloudEvents headers at all", '{"node":"n"}', {}, /specversion/],
    ["no headers and no JSON", "hello", {}, /CloudEvent/i],
    ["missing ce-id", '{"node":"n"}', binaryHeaders({ "ce-id": "" }), /id/],
    ["wrong specversion", '{"node":"n"}', binaryHeaders({ "ce-specversion": "0.3" }), /specversion/i],
    ["bad percent-encoding", '{"node":"n"}', binaryHeaders({ "ce-source": "urn:%zz" }), /hex digits/i],
    [
      "a payload over the maximum",
      JSON.stringify({ node: "x".repeat(70 * 1024) }),
      binaryHeaders(),
      /large|bytes/i,
    ],
  ])("%s is dead-lettered with a reason", async (_name, payload, hdrs, reason) => {
    const seq = await raw(payload, hdrs);
    const letter = await deadLetterFor(seq);
    expect(letter[DLQ_HEADERS.code]).toEqual(["BAD_EVENT"]);
    expect(letter[DLQ_HEADERS.error]?.[0]).toMatch(reason);
  });

  test("data failing its schema is rejected with the field that failed", async () => {
    const event = newEvent({
      name: "node.joined",
      source: "urn:test:fuzz",
      data: { node: "Not_A_Node!", extra: 1 },
    });
    await publishEvent(jetstream(nc), config.prefix, event);
    const outcome = await waitForOutcome(host, event, "worker", ["rejected"]);
    expect(outcome.error?.code).toBe("SCHEMA_INVALID");
    expect(outcome.error?.message).toMatch(/node/);
  });

  test("a header block nats.js refuses to read is dead-lettered, its bytes kept", async () => {
    const lines = Object.entries(binaryHeaders()).map(([name, value]) => `${name}: ${value}`);
    const block = ["NATS/1.0", ...lines, "not a name: x", "", ""].join("\r\n");
    const subject = subjectOf(config.prefix, "node.joined");
    const seq = await publishRawHeaderBlock(config.natsUrl, subject, block, '{"node":"n"}');
    const letter = await deadLetterFor(seq);
    expect(letter[DLQ_HEADERS.code]).toEqual(["BAD_EVENT"]);
    expect(letter[DLQ_HEADERS.error]?.[0]).toMatch(/header name "not a name"/);
    const kept = Buffer.from(letter[DLQ_HEADERS.rawHeaders]?.[0] ?? "", "base64").toString();
    expect(kept).toBe(block);
  });

  test("a long unreadable header block is dead-lettered too: its first 24 KiB kept, its length said", async () => {
    const lines = Object.entries(binaryHeaders()).map(([name, value]) => `${name}: ${value}`);
    const block = ["NATS/1.0", ...lines, `not a name: ${"x".repeat(55_000)}`, "", ""].join("\r\n");
    const subject = subjectOf(config.prefix, "node.joined");
    const seq = await publishRawHeaderBlock(config.natsUrl, subject, block, '{"node":"n"}');
    const letter = await deadLetterFor(seq);
    expect(letter[DLQ_HEADERS.code]).toEqual(["BAD_EVENT"]);
    expect(letter[DLQ_HEADERS.rawHeadersBytes]).toEqual([String(block.length)]);
    const kept = Buffer.from(letter[DLQ_HEADERS.rawHeaders]?.[0] ?? "", "base64").toString();
    expect(kept).toBe(block.slice(0, 24 * 1024));
  });

  test("headers too long to copy beside the dead letter's own are kept raw", async () => {
    const seq = await raw("{}", binaryHeaders({ "ce-id": "", "x-padding": "p".repeat(65_250) }));
    const letter = await deadLetterFor(seq);
    expect(letter[DLQ_HEADERS.code]).toEqual(["BAD_EVENT"]);
    expect(Number(letter[DLQ_HEADERS.rawHeadersBytes]?.[0])).toBeGreaterThan(65_250);
    expect(letter["x-padding"]).toBeUndefined();
  });

  test("after all of that the host still handles a good event", async () => {
    const event = nodeJoined("after-bad-input");
    await publishEvent(jetstream(nc), config.prefix, event);
    await waitForOutcome(host, event, "worker", ["succeeded"]);
    expect(host.ready()).toBe(true);
  });
});
