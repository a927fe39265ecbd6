// Deliveries lost with their host (or their lease) are not failures: they do not spend a healthy
// event's attempts, and a message that is lost again and again still ends, in the dead-letter stream.
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { DELIVERIES_PER_ATTEMPT } from "../../shared/host/attempts.ts";
import type { RuntimeConfig } from "../../shared/config.ts";
import { IcnError } from "../../shared/errors.ts";
import { newEvent, publishEvent } from "../../shared/events.ts";
import { defineFunction } from "../../shared/function.ts";
import { DLQ_HEADERS } from "../../shared/host/dead-letter.ts";
import type { Host } from "../../shared/host/host.ts";
import { ensureConsumer, ensureStreams } from "../../shared/host/streams.ts";
import { natsConnection } from "../harness/servers.ts";
import { startTestHost, streamMessages, testConfig, waitForOutcome } from "./support.ts";

let nc: NatsConnection;
let host: Host | undefined;
const calls: number[] = [];

// Fails its first attempt, succeeds on the second: a healthy event with one transient failure.
const flakyOnce = defineFunction({
  name: "flaky-once",
  on: "node.joined",
  emits: [],
  handle: (_event, ctx) => {
    calls.push(ctx.attempt);
    return ctx.attempt === 1
      ? Promise.reject(new IcnError("KUBE_UNAVAILABLE", "first try fails"))
      : Promise.resolve();
  },
});

beforeAll(async () => {
  nc = await natsConnection();
});
afterEach(async () => {
  await host?.drain();
  host = undefined;
  calls.length = 0;
});
afterAll(async () => {
  await nc.close();
});

/** Publishes one event and lets `times` deliveries of it go unacknowledged, as a host killed mid-handler would. */
async function loseDeliveries(config: RuntimeConfig, times: number): Promise<ReturnType<typeof newEvent>> {
  const jsm = await jetstreamManager(nc);
  await ensureStreams(jsm, config);
  await ensureConsumer(jsm, config, flakyOnce);
  const event = newEvent({ name: "node.joined", source: "urn:test:lost", data: { node: "lost-1" } });
  await publishEvent(jetstream(nc), config.prefix, event);
  const consumer = await jetstream(nc).consumers.get(config.eventsStream, flakyOnce.name);
  for (let delivery = 1; delivery <= times; delivery++) {
    // Each pull gets the message again once the previous one's ack wait has run out.
    const msg = await consumer.next({ expires: config.ackWaitMs * 4 });
    expect(msg?.info.deliveryCount).toBe(delivery);
  }
  return event;
}

test("deliveries lost before the handler ran do not count as attempts", async () => {
  const config = testConfig({ ackWaitMs: 1000, retry: { attempts: 2, backoffMs: [50] } });
  const event = await loseDeliveries(config, 3); // JetStream's count passes the 2 attempts allowed
  host = await startTestHost(nc, config, [flakyOnce]);
  const outcome = await waitForOutcome(host, event, flakyOnce.name, ["succeeded", "dead-lettered"]);
  expect(outcome).toMatchObject({ state: "succeeded", attempts: 2 });
  expect(calls).toEqual([1, 2]);
});

test("a message lost more often than the cap allows is dead-lettered as CRASH_LOOP without running", async () => {
  const config = testConfig({ ackWaitMs: 1000, retry: { attempts: 2, backoffMs: [50] } });
  const cap = config.retry.attempts * DELIVERIES_PER_ATTEMPT;
  const event = await loseDeliveries(config, cap);
  host = await startTestHost(nc, config, [flakyOnce]);
  const outcome = await waitForOutcome(host, event, flakyOnce.name, ["succeeded", "dead-lettered"]);
  expect(outcome.state).toBe("dead-lettered");
  expect(outcome.error?.code).toBe("CRASH_LOOP");
  expect(outcome.error?.message).toMatch(`delivered ${cap + 1} times`);
  expect(calls).toEqual([]);
  const letters = await streamMessages(nc, config.deadLetterStream);
  expect(letters.map((m) => m.headers[DLQ_HEADERS.code])).toEqual([["CRASH_LOOP"]]);
});
