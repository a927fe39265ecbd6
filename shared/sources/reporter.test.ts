import type { JetStreamClient, PubAck } from "@nats-io/jetstream";
import { pino } from "pino";
import { stableId } from "../events.ts";
import { Reporter } from "./reporter.ts";

interface Sent {
  subject: string;
  msgId: string | undefined;
  id: string | undefined;
  source: string | undefined;
}

/** A JetStream that stores each Nats-Msg-Id once, as the stream's duplicate window does. */
function fakeJetStream(failFirst = 0): {
  js: Pick<JetStreamClient, "publish">;
  sent: Sent[];
  stored: Set<string>;
} {
  const sent: Sent[] = [];
  const stored = new Set<string>();
  let failures = failFirst;
  const publish = (
    subject: string,
    _payload?: unknown,
    options?: { headers?: { get(k: string): string } },
  ): Promise<PubAck> => {
    if (failures-- > 0) return Promise.reject(new Error("no responders"));
    const msgId = options?.headers?.get("Nats-Msg-Id");
    sent.push({
      subject,
      msgId,
      id: options?.headers?.get("ce-id"),
      source: options?.headers?.get("ce-source"),
    });
    const duplicate = stored.has(msgId ?? "");
    stored.add(msgId ?? "");
    return Promise.resolve({ stream: "S", seq: stored.size, duplicate } as PubAck);
  };
  return { js: { publish }, sent, stored };
}

const log = pino({ level: "silent" });
const reporter = (js: Pick<JetStreamClient, "publish">, signal = new AbortController().signal): Reporter =>
  new Reporter({
    js,
    prefix: "icn",
    detector: "node-watcher",
    source: "urn:icn-secure-tenancy/node-watcher",
    log,
    signal,
    retryMs: () => 1,
  });

test("the event id is stable per object, and the source fixed", async () => {
  const bus = fakeJetStream();
  const r = reporter(bus.js);
  r.report("uid-1", "node.joined", { node: "n1", uid: "uid-1" });
  await r.idle();
  expect(bus.sent).toEqual([
    {
      subject: "icn.node.joined",
      msgId: expect.any(String) as string,
      id: stableId("node-watcher", "uid-1"),
      source: "urn:icn-secure-tenancy/node-watcher",
    },
  ]);
});

test("an object already reported in this process is not sent again", async () => {
  const bus = fakeJetStream();
  const r = reporter(bus.js);
  for (let i = 0; i < 3; i++) r.report("uid-1", "node.joined", { node: "n1", uid: "uid-1" });
  r.report("uid-2", "node.joined", { node: "n2", uid: "uid-2" });
  await r.idle();
  expect(bus.sent.map((s) => s.id)).toEqual([
    stableId("node-watcher", "uid-1"),
    stableId("node-watcher", "uid-2"),
  ]);
  expect(r.stats()).toMatchObject({ published: 2, skipped: 2, duplicates: 0 });
});

test("a restarted reporter sends the same message id, which the stream drops as a duplicate", async () => {
  const bus = fakeJetStream();
  const first = reporter(bus.js);
  first.report("uid-1", "node.joined", { node: "n1", uid: "uid-1" });
  await first.idle();
  const second = reporter(bus.js);
  second.report("uid-1", "node.joined", { node: "n1", uid: "uid-1" });
  await second.idle();
  expect(bus.stored.size).toBe(1);
  expect(bus.sent[0]?.msgId).toBe(bus.sent[1]?.msgId);
  expect(second.stats()).toMatchObject({ published: 0, duplicates: 1 });
});

test("a forgotten object (deleted, then back) is reported again", async () => {
  const bus = fakeJetStream();
  const r = reporter(bus.js);
  r.report("uid-1", "node.joined", { node: "n1", uid: "uid-1" });
  r.forget("uid-1");
  r.report("uid-1", "node.joined", { node: "n1", uid: "uid-1" });
  await r.idle();
  expect(bus.sent).toHaveLength(2);
});

test("a failed publish is retried until stored", async () => {
  const bus = fakeJetStream(3);
  const r = reporter(bus.js);
  r.report("uid-1", "node.joined", { node: "n1", uid: "uid-1" });
  await r.idle();
  expect(r.stats()).toMatchObject({ published: 1, failures: 3 });
});

test("stopping abandons a publish that keeps failing, and forgets it: it was never stored", async () => {
  const bus = fakeJetStream(Number.MAX_SAFE_INTEGER);
  const stop = new AbortController();
  const r = reporter(bus.js, stop.signal);
  r.report("uid-1", "node.joined", { node: "n1", uid: "uid-1" });
  setTimeout(() => stop.abort(), 20);
  await r.idle();
  expect(r.stats().published).toBe(0);
  r.report("uid-1", "node.joined", { node: "n1", uid: "uid-1" });
  await r.idle();
  expect(r.stats().skipped).toBe(0);
});
