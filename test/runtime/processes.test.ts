// Several host processes on one consumer: work is shared, SIGKILL loses nothing, SIGTERM drains.
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { newEvent, publishEvent } from "../../shared/events.ts";
import { natsConnection } from "../harness/servers.ts";
import { killAll, spawnNode, type Spawned } from "../harness/processes.ts";
import { SideEffects, testConfig, waitUntil } from "./support.ts";
import type { RuntimeConfig } from "../../shared/config.ts";
import { ensureStreams } from "../../shared/host/streams.ts";

const HOST = "test/runtime/fixtures/recording-host.ts";
let nc: NatsConnection;

beforeAll(async () => {
  nc = await natsConnection();
});
afterEach(() => killAll());
afterAll(async () => {
  await nc.close();
});

interface Effect {
  id: string;
  pid: number;
  phase: "start" | "done";
}

async function setup(): Promise<{ config: RuntimeConfig; effects: SideEffects }> {
  const config = testConfig();
  await ensureStreams(await jetstreamManager(nc), config);
  return { config, effects: await SideEffects.create(nc, config) };
}

function startHost(config: RuntimeConfig, env: Record<string, string> = {}): Spawned {
  return spawnNode(HOST, {
    NATS_URL: config.natsUrl,
    ICN_SUBJECT_PREFIX: config.prefix,
    ICN_HTTP_PORT: "0",
    ...env,
  });
}

async function publishNodes(config: RuntimeConfig, count: number): Promise<string[]> {
  const js = jetstream(nc);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const event = newEvent({
      name: "node.joined",
      source: "urn:test:processes",
      data: { node: `node-${i}` },
    });
    ids.push(event.id);
    await publishEvent(js, config.prefix, event);
  }
  return ids;
}

const done = async (effects: SideEffects): Promise<Effect[]> =>
  ((await effects.all()) as unknown as Effect[]).filter((e) => e.phase === "done");

test("two host processes share one consumer: 1,000 events, each handled exactly once, both did work", async () => {
  const { config, effects } = await setup();
  const hosts = [startHost(config), startHost(config)];
  await Promise.all(hosts.map((h) => h.waitFor(/host ready/)));
  const ids = await publishNodes(config, 1000);
  const handled = await waitUntil(
    "1,000 handled events",
    async () => {
      const all = await done(effects);
      return all.length >= 1000 ? all : undefined;
    },
    60_000,
  );
  await new Promise((r) => setTimeout(r, 500));
  const final = await done(effects);
  expect(final).toHaveLength(1000);
  expect(new Set(handled.map((e) => e.id))).toEqual(new Set(ids));
  const pids = new Set(final.map((e) => e.pid));
  expect(pids).toEqual(new Set(hosts.map((h) => h.child.pid)));
});

test("a host killed with SIGKILL mid-handler: the other host completes the event", async () => {
  const { config, effects } = await setup();
  const slow = startHost(config, { TEST_HANDLER_DELAY_MS: "60000", TEST_ACK_WAIT_MS: "2000" });
  await slow.waitFor(/host ready/);
  const [id] = await publishNodes(config, 1);
  await waitUntil("the handler to start", async () =>
    ((await effects.all()) as unknown as Effect[]).find((e) => e.id === id && e.phase === "start"),
  );
  slow.child.kill("SIGKILL");
  await slow.exited;
  const rescuer = startHost(config);
  await rescuer.waitFor(/host ready/);
  const finished = await waitUntil("the event to complete on the other host", async () =>
    (await done(effects)).find((e) => e.id === id),
  );
  expect(finished.pid).toBe(rescuer.child.pid);
});

test("SIGTERM: in-flight handlers finish, nothing new is pulled, the process exits 0", async () => {
  const { config, effects } = await setup();
  const host = startHost(config, { TEST_HANDLER_DELAY_MS: "1500", TEST_CONCURRENCY: "2" });
  await host.waitFor(/host ready/);
  const ids = await publishNodes(config, 10);
  await waitUntil("two handlers in flight", async () => {
    const started = ((await effects.all()) as unknown as Effect[]).filter((e) => e.phase === "start");
    return started.length >= 2 ? started : undefined;
  });
  host.child.kill("SIGTERM");
  expect(await host.exited).toBe(0);
  const all = (await effects.all()) as unknown as Effect[];
  const started = all.filter((e) => e.phase === "start").map((e) => e.id);
  const finished = all.filter((e) => e.phase === "done").map((e) => e.id);
  expect(started.length).toBeGreaterThanOrEqual(2);
  expect(started.length).toBeLessThan(ids.length);
  expect(new Set(finished)).toEqual(new Set(started));
});

test("a host process serves /healthz, /readyz and Prometheus /metrics on its HTTP port", async () => {
  const { config } = await setup();
  const host = startHost(config);
  await host.waitFor(/"httpPort":\d+/);
  const port = Number(/"httpPort":(\d+)/.exec(host.output())?.[1]);
  await publishNodes(config, 3);
  const base = `http://127.0.0.1:${port}`;
  expect((await fetch(`${base}/healthz`)).status).toBe(200);
  expect((await fetch(`${base}/readyz`)).status).toBe(200);
  const metrics = await waitUntil("three handled events in /metrics", async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    return /icn_events_succeeded_total\{function="recorder"\} 3/.test(text) ? text : undefined;
  });
  for (const name of [
    "icn_events_received_total",
    "icn_events_retried_total",
    "icn_events_dead_lettered_total",
    "icn_events_rejected_total",
    "icn_handler_duration_seconds_bucket",
    "icn_handlers_in_flight",
  ])
    expect(metrics).toContain(name);
  expect((await fetch(`${base}/nope`)).status).toBe(404);
});
