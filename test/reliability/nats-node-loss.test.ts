// NATS node loss: a three-node cluster with R3 streams loses its stream leader mid-run; nothing is lost or done twice.
import { CoreV1Api } from "@kubernetes/client-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { quarantineRuncPod, optionsFromEnv } from "../../functions/quarantine-runc-pod/index.ts";
import { DEFAULT_RETRY, type RuntimeConfig } from "../../shared/config.ts";
import type { Host } from "../../shared/host/host.ts";
import { kubeConfig, uniqueName } from "../harness/servers.ts";
import { startTestHost, testConfig, waitUntil } from "../runtime/support.ts";
import { figuresDir, secondsSince, writeFigures } from "./figures.ts";
import { provisionTenantAsHarness } from "./identities.ts";
import { auditRun, awaitOutcomes } from "./ledger.ts";
import { startNatsCluster, type NatsCluster } from "./nats-cluster.ts";
import { SCENARIO_TIMEOUT_MS, settleTimeout, sized } from "./sizes.ts";
import { prepareWorkload, publishAll } from "./workload.ts";

const SIZE = sized({
  short: { tenants: 8, requestsPerTenant: 3, pods: 20, eventsPerPod: 10 },
  full: { tenants: 100, requestsPerTenant: 5, pods: 150, eventsPerPod: 30 },
});

const FUNCTIONS = ["provision-tenant", "quarantine-runc-pod"] as const;
const kc = kubeConfig();
const run = `nl${Date.now().toString(36)}`;
let cluster: NatsCluster | undefined;
let hostNc: NatsConnection | undefined;
let nc: NatsConnection | undefined;
let host: Host | undefined;

afterAll(async () => {
  await host?.drain().catch(() => undefined);
  await Promise.all([hostNc?.close(), nc?.close()]);
  await cluster?.stop();
});

const connectAll = (urls: string[], name: string): Promise<NatsConnection> =>
  connect({ servers: urls, name, maxReconnectAttempts: -1, reconnectTimeWait: 250, timeout: 5000 });

/** The server leading a stream (or a consumer) now, by name. */
async function leaderOf(js: NatsConnection, stream: string, consumer?: string): Promise<string | undefined> {
  const jsm = await jetstreamManager(js);
  const info = consumer ? await jsm.consumers.info(stream, consumer) : await jsm.streams.info(stream);
  return info.cluster?.leader;
}

/** Seconds until another server leads the stream. */
async function awaitNewLeader(conn: NatsConnection, stream: string, old: string): Promise<number> {
  const started = Date.now();
  for (;;) {
    const leader = await leaderOf(conn, stream).catch(() => undefined);
    if (leader && leader !== old) return secondsSince(started);
    if (Date.now() - started > 60_000) throw new Error(`no new leader for ${stream} after 60 s`);
    await sleep(100);
  }
}

/**
 * The harshest loss: the killed server also leads the outcome bucket and every function's consumer,
 * so acks, outcome records and result events all lose their leader at once. Returns how many moved.
 */
async function gatherLeadership(
  conn: NatsConnection,
  config: RuntimeConfig,
  leader: string,
): Promise<number> {
  const preferred = JSON.stringify({ placement: { preferred: leader } });
  const targets = [
    `STREAM.LEADER.STEPDOWN.KV_${config.outcomesBucket}`,
    `STREAM.LEADER.STEPDOWN.${config.deadLetterStream}`,
    ...FUNCTIONS.map((fn) => `CONSUMER.LEADER.STEPDOWN.${config.eventsStream}.${fn}`),
  ];
  for (const api of targets) await conn.request(`$JS.API.${api}`, preferred, { timeout: 5000 });
  // While leaders move, info requests may time out: ask again until the new leader answers.
  const kvLeader = await waitUntil("the outcome bucket's leader to move", async () =>
    (await leaderOf(conn, `KV_${config.outcomesBucket}`).catch(() => undefined)) === leader
      ? true
      : undefined,
  );
  const consumers = await Promise.all(
    FUNCTIONS.map((fn) =>
      waitUntil(`the leader of ${fn}'s consumer`, () =>
        leaderOf(conn, config.eventsStream, fn).catch(() => undefined),
      ),
    ),
  );
  return Number(kvLeader) + consumers.filter((l) => l === leader).length;
}

/** Deliveries the host settled so far (succeeded, rejected or dead-lettered). */
async function settledCount(h: Host): Promise<number> {
  const counters = [h.metrics.succeeded, h.metrics.rejected, h.metrics.deadLettered];
  const values = await Promise.all(counters.map(async (c) => (await c.get()).values));
  return values.flat().reduce((sum, v) => sum + v.value, 0);
}

/** Seconds until the host settles anything more than `before`: how long the node loss stalled it. */
async function awaitProgress(h: Host, before: number): Promise<number> {
  const started = Date.now();
  await waitUntil(
    "the host to settle events again",
    async () => ((await settledCount(h)) > before ? true : undefined),
    120_000,
  );
  return secondsSince(started);
}

test(
  `${SIZE.tenants * SIZE.requestsPerTenant + SIZE.pods * SIZE.eventsPerPod} events, stream leader killed mid-run: all settle, none twice`,
  async () => {
    const testStarted = Date.now();
    cluster = await startNatsCluster(join(figuresDir(), `nats-cluster-${uniqueName("c")}`));
    const config = testConfig({
      natsUrl: cluster.urls.join(","),
      streamReplicas: 3,
      retry: DEFAULT_RETRY,
      ackWaitMs: 5000,
      duplicateWindowMs: 10 * 60_000,
    });
    [hostNc, nc] = [
      await connectAll(cluster.urls, "reliability-host"),
      await connectAll(cluster.urls, "reliability-publisher"),
    ];
    const functions = [provisionTenantAsHarness(), quarantineRuncPod(optionsFromEnv({}))];
    host = await startTestHost(hostNc, config, functions);
    const workload = await prepareWorkload(kc.makeApiClient(CoreV1Api), { run, ...SIZE });
    const events = workload.events.map((e) => e.event);
    const half = Math.floor(events.length / 2);
    const js = jetstream(nc);
    const started = Date.now();
    const first = await publishAll(js, config.prefix, events.slice(0, half));
    const publisher = nc;
    const killed = await waitUntil("the events stream's leader", () =>
      leaderOf(publisher, config.eventsStream).catch(() => undefined),
    );
    const moved = await gatherLeadership(nc, config, killed);
    const before = await settledCount(host);
    cluster.kill(killed);
    const [failoverSeconds, second, resumedAfterSeconds] = await Promise.all([
      awaitNewLeader(nc, config.eventsStream, killed),
      publishAll(js, config.prefix, events.slice(half)),
      awaitProgress(host, before),
    ]);
    const publishedSeconds = secondsSince(started);
    const settlement = await awaitOutcomes(host.outcomes, workload.events, settleTimeout(testStarted));
    const durationSeconds = secondsSince(started);
    const result = await auditRun(nc, config, kc, { workload, settlement });
    writeFigures({
      suite: "nats-node-loss",
      title: "NATS node loss (3-node cluster, R3, stream leader SIGKILLed)",
      test: "test/reliability/nats-node-loss.test.ts",
      summary: {
        events: events.length,
        durationSeconds,
        lost: result.lost,
        duplicates: result.duplicates,
        deadLettered: settlement.states["dead-lettered"] ?? 0,
      },
      details: {
        killedLeader: killed,
        failoverSeconds,
        resumedAfterSeconds,
        publishedSeconds,
        leadersMovedToKilledNode: moved,
        publishRetries: first.retried + second.retried,
        ...settlement.states,
        ...settlement.reasons,
        maxAttempts: settlement.maxAttempts,
        ...(settlement.firstDeadLetter ? { firstDeadLetter: settlement.firstDeadLetter } : {}),
        ...result.details,
      },
    });
    expect(settlement.pending).toEqual([]);
    expect(result).toMatchObject({ lost: 0, duplicates: 0 });
    expect(result.details.outcomeRecords).toBe(events.length);
  },
  SCENARIO_TIMEOUT_MS,
);
