// Outbound notifications against the real nats-server and local receivers: verified, retried, dead-lettered.
import { randomBytes } from "node:crypto";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { CloudEvent } from "cloudevents";
import type { RuntimeConfig } from "../../shared/config.ts";
import { newEvent, publishEvent } from "../../shared/events.ts";
import { DLQ_HEADERS } from "../../shared/host/dead-letter.ts";
import { OutcomeStore, type Outcome } from "../../shared/host/outcomes.ts";
import { deadLetterSubject, ensureStreams } from "../../shared/host/streams.ts";
import { createLogger } from "../../shared/logging.ts";
import { startNotifier, type Notifier } from "../../shared/sinks/webhooks/notifier.ts";
import { parseWebhooks, type Webhook } from "../../shared/sinks/webhooks/webhooks.ts";
import { aTenantProvisioned } from "../../schemas/fixtures.ts";
import { subjectOf } from "../../schemas/events.ts";
import { natsConnection } from "../harness/servers.ts";
import { streamMessages, testConfig, waitUntil } from "../runtime/support.ts";
import { startReceiver, type Receiver, type Script } from "./webhook-receiver.ts";

// The spec's form; the process test covers a plain secret.
const SECRET = `whsec_${randomBytes(32).toString("base64")}`;
let nc: NatsConnection;
let running: { notifier: Notifier; receivers: Receiver[] } | undefined;

beforeAll(async () => {
  nc = await natsConnection();
});
afterEach(async () => {
  await running?.notifier.drain();
  await Promise.all(running?.receivers.map((r) => r.close()) ?? []);
  running = undefined;
});
afterAll(async () => {
  await nc.close();
});

interface Rig {
  config: RuntimeConfig;
  receivers: Receiver[];
  outcomes: OutcomeStore;
  publish: () => Promise<CloudEvent<unknown>>;
}

/** One notifier on a prefix of its own, one webhook per script, all for tenant.provisioned. */
async function rig(scripts: Record<string, Script>, timeoutMs = 10_000): Promise<Rig> {
  const config = testConfig({ retry: { attempts: 4, backoffMs: [100] } });
  await ensureStreams(await jetstreamManager(nc), config);
  const receivers = await Promise.all(
    Object.values(scripts).map((script) => startReceiver(script, { secret: SECRET })),
  );
  const webhooks: Webhook[] = parseWebhooks(
    Object.keys(scripts).map((name, i) => ({
      name,
      url: receivers[i]?.url,
      secret: SECRET,
      types: ["tenant.provisioned"],
    })),
  );
  const log = createLogger("test-notifier", process.env.ICN_LOG_LEVEL ?? "silent");
  running = { notifier: await startNotifier({ nc, config, webhooks, log, timeoutMs }), receivers };
  const publish = async (): Promise<CloudEvent<unknown>> => {
    const event = newEvent({
      name: "tenant.provisioned",
      source: config.source,
      data: aTenantProvisioned(),
      extensions: { causeid: "cause-1" },
    });
    await publishEvent(jetstream(nc), config.prefix, event);
    return event;
  };
  return { config, receivers, outcomes: await OutcomeStore.open(nc, config.outcomesBucket), publish };
}

const outcomeOf = (
  r: Rig,
  event: CloudEvent<unknown>,
  fn: string,
  state: Outcome["state"],
): Promise<Outcome> =>
  waitUntil(`${fn} ${state}`, async () => {
    const outcome = await r.outcomes.get(event, fn);
    return outcome?.state === state ? outcome : undefined;
  });

/** Every message handed to the webhook's consumer is settled: nothing more will be delivered. */
const settled = (r: Rig, fn: string): Promise<true> =>
  waitUntil(`${fn} settled`, async () => {
    const info = await (await jetstreamManager(nc)).consumers.info(r.config.eventsStream, fn);
    return info.num_pending === 0 && info.num_ack_pending === 0 && info.num_redelivered === 0
      ? true
      : undefined;
  });

const deadLetters = (r: Rig, fn: string): Promise<Awaited<ReturnType<typeof streamMessages>>> =>
  waitUntil(`a dead letter of ${fn}`, async () => {
    const letters = await streamMessages(nc, r.config.deadLetterStream, deadLetterSubject(r.config, fn));
    return letters.length ? letters : undefined;
  });

test("a receiver failing twice with 503 then succeeding verifies every attempt and acts once", async () => {
  const r = await rig({ flaky: (n) => (n <= 2 ? 503 : 200) });
  const event = await r.publish();
  expect(await outcomeOf(r, event, "notify-flaky", "succeeded")).toMatchObject({ attempts: 3 });
  await settled(r, "notify-flaky");
  const receiver = r.receivers[0]!;
  expect(receiver.requests.map((q) => q.status)).toEqual([503, 503, 200]);
  // The Standard Webhooks library verified each attempt; a retry keeps its id, so receivers de-duplicate on it.
  expect(receiver.requests.map((q) => q.verified?.ok)).toEqual([true, true, true]);
  expect(new Set(receiver.requests.map((q) => q.headers["webhook-id"])).size).toBe(1);
  expect(receiver.requests[2]!.headers["webhook-timestamp"]).toMatch(/^\d{10}$/);
  // Structured mode: the attributes are in the signed body, not in headers beside it.
  expect(receiver.requests[2]!.headers["content-type"]).toMatch(/^application\/cloudevents\+json/);
  expect(Object.keys(receiver.requests[2]!.headers).filter((h) => h.startsWith("ce-"))).toEqual([]);
  expect(receiver.actedOn).toEqual([
    {
      specversion: "1.0",
      id: event.id,
      source: event.source,
      type: "org.akraino.icn.tenant.provisioned",
      time: event.time,
      datacontenttype: "application/json",
      causeid: "cause-1",
      data: event.data,
    },
  ]);
});

test("a receiver that always fails gets every attempt, then the event is dead-lettered intact", async () => {
  const r = await rig({ broken: () => 500 });
  const event = await r.publish();
  const [letter, ...more] = await deadLetters(r, "notify-broken");
  expect(more).toHaveLength(0);
  const [original] = await streamMessages(
    nc,
    r.config.eventsStream,
    subjectOf(r.config.prefix, "tenant.provisioned"),
  );
  expect(Buffer.from(letter!.data).equals(Buffer.from(original!.data))).toBe(true);
  expect(letter!.headers["ce-id"]).toEqual([event.id]);
  expect(letter!.headers[DLQ_HEADERS.function]).toEqual(["notify-broken"]);
  expect(letter!.headers[DLQ_HEADERS.attempts]).toEqual(["4"]);
  expect(letter!.headers[DLQ_HEADERS.code]).toEqual(["WEBHOOK_UNAVAILABLE"]);
  await settled(r, "notify-broken");
  expect(r.receivers[0]!.requests).toHaveLength(4);
  expect(await r.outcomes.get(event, "notify-broken")).toMatchObject({ state: "dead-lettered", attempts: 4 });
});

test("a 4xx is permanent: one request, then a dead letter", async () => {
  const r = await rig({ refusing: () => 410 });
  await r.publish();
  const [letter] = await deadLetters(r, "notify-refusing");
  expect(letter!.headers[DLQ_HEADERS.code]).toEqual(["WEBHOOK_REJECTED"]);
  expect(letter!.headers[DLQ_HEADERS.error]?.[0]).toMatch(/^HTTP 410/);
  await settled(r, "notify-refusing");
  expect(r.receivers[0]!.requests).toHaveLength(1);
});

test("a receiver that never answers times out on every attempt and is dead-lettered", async () => {
  const r = await rig({ silent: () => new Promise<number>(() => {}) }, 300);
  await r.publish();
  const [letter] = await deadLetters(r, "notify-silent");
  expect(letter!.headers[DLQ_HEADERS.code]).toEqual(["TIMEOUT"]);
  expect(letter!.headers[DLQ_HEADERS.attempts]).toEqual(["4"]);
});

test("a receiver that hangs holds up no other webhook, and shows as received meanwhile", async () => {
  let release: (status: number) => void = () => {};
  const held = new Promise<number>((resolve) => (release = resolve));
  const r = await rig({ slow: () => held, prompt: () => 204 });
  const event = await r.publish();
  await outcomeOf(r, event, "notify-prompt", "succeeded");
  const slow = r.receivers[0]!.requests;
  await waitUntil("the slow receiver's request", () => Promise.resolve(slow.length ? true : undefined));
  expect(slow.map((q) => q.status)).toEqual([0]); // never answered: the prompt webhook did not wait for it
  // The host's delivery core: a POST still running says so, as a long handler does.
  expect(await outcomeOf(r, event, "notify-slow", "received")).toMatchObject({ attempts: 1 });
  release(200);
  await outcomeOf(r, event, "notify-slow", "succeeded");
});
