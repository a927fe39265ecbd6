// Host crash: the function host is SIGKILLed again and again under load; nothing is lost, nothing happens twice.
import { CoreV1Api } from "@kubernetes/client-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { setTimeout as sleep } from "node:timers/promises";
import { ensureStreams } from "../../shared/host/streams.ts";
import { OutcomeStore } from "../../shared/host/outcomes.ts";
import { killAll, spawnNode, type Spawned } from "../harness/processes.ts";
import { kubeConfig, natsConnection } from "../harness/servers.ts";
import { testConfig } from "../runtime/support.ts";
import { removeRunStreams } from "./cleanup.ts";
import { secondsSince, writeFigures } from "./figures.ts";
import { identityEnv } from "./identities.ts";
import { auditRun, awaitOutcomes } from "./ledger.ts";
import { SCENARIO_TIMEOUT_MS, settleTimeout, sized } from "./sizes.ts";
import { prepareWorkload, publishAll } from "./workload.ts";

const HOST = "test/reliability/fixtures/function-host.ts";
const SIZE = sized({
  short: { tenants: 8, requestsPerTenant: 2, pods: 20, eventsPerPod: 10, kills: 3, perSecond: 30 },
  full: { tenants: 60, requestsPerTenant: 4, pods: 100, eventsPerPod: 25, kills: 12, perSecond: 100 },
});
// Short, so a killed host's unacknowledged messages come back quickly to its successor.
const ACK_WAIT_MS = 3000;

const kc = kubeConfig();
const config = testConfig({ ackWaitMs: ACK_WAIT_MS });
let nc: NatsConnection;

beforeAll(async () => {
  nc = await natsConnection();
  await ensureStreams(await jetstreamManager(nc), config);
});
afterAll(async () => {
  killAll();
  await removeRunStreams(nc, config);
  await nc.close();
});

function startHost(): Spawned {
  return spawnNode(HOST, {
    NATS_URL: config.natsUrl,
    ICN_SUBJECT_PREFIX: config.prefix,
    ICN_HTTP_PORT: "0",
    ICN_ACK_WAIT_MS: String(ACK_WAIT_MS),
    ICN_LOG_LEVEL: "silent",
    ...identityEnv(),
  });
}

/** Kills the running host at a random moment 0.5–2.5 s into its life, `kills` times; returns the last host. */
async function crashRepeatedly(kills: number): Promise<Spawned> {
  let host = startHost();
  for (let k = 0; k < kills; k++) {
    await host.waitFor(/fixtureReady/);
    await sleep(500 + Math.random() * 2000);
    host.child.kill("SIGKILL");
    await host.exited;
    host = startHost();
  }
  await host.waitFor(/fixtureReady/);
  return host;
}

test(
  `host SIGKILLed ${SIZE.kills} times under load: every event settles, no side effect twice`,
  async () => {
    const testStarted = Date.now();
    const run = `hc${Date.now().toString(36)}`;
    const workload = await prepareWorkload(kc.makeApiClient(CoreV1Api), { run, ...SIZE });
    const started = Date.now();
    const publishing = publishAll(
      jetstream(nc),
      config.prefix,
      workload.events.map((e) => e.event),
      { window: 10, perSecond: SIZE.perSecond },
    );
    await crashRepeatedly(SIZE.kills);
    await publishing;
    const store = await OutcomeStore.open(nc, config.outcomesBucket);
    const settlement = await awaitOutcomes(store, workload.events, settleTimeout(testStarted));
    const durationSeconds = secondsSince(started);
    const result = await auditRun(nc, config, kc, { workload, settlement });
    writeFigures({
      suite: "host-crash",
      title: "Host crash (SIGKILL under load)",
      test: "test/reliability/host-crash.test.ts",
      summary: {
        events: workload.events.length,
        durationSeconds,
        lost: result.lost,
        duplicates: result.duplicates,
        deadLettered: settlement.states["dead-lettered"] ?? 0,
      },
      details: {
        kills: SIZE.kills,
        ...settlement.states,
        ...settlement.reasons,
        maxAttempts: settlement.maxAttempts,
        ...(settlement.firstDeadLetter ? { firstDeadLetter: settlement.firstDeadLetter } : {}),
        ...result.details,
      },
    });
    expect(settlement.pending).toEqual([]);
    expect(result.details).toMatchObject({ podsWithoutQuarantineEvent: 0, quarantineEventsDuplicated: 0 });
    expect(result).toMatchObject({ lost: 0, duplicates: 0 });
    expect(settlement.states["dead-lettered"] ?? 0).toBe(0);
    expect(result.details.outcomeRecords).toBe(workload.events.length);
  },
  SCENARIO_TIMEOUT_MS,
);
