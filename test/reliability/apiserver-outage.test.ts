// apiserver outage: kube-apiserver stops mid-run and comes back; the retry schedule rides it out and nothing is dead-lettered.
import { CoreV1Api } from "@kubernetes/client-node";
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { join } from "node:path";
import { statePaths, type StatePaths } from "../../deploy/local/paths.ts";
import { restartApiserver } from "../../deploy/local/platform.ts";
import { optionsFromEnv, quarantineRuncPod } from "../../functions/quarantine-runc-pod/index.ts";
import { configFromEnv, DEFAULT_RETRY } from "../../shared/config.ts";
import type { Host } from "../../shared/host/host.ts";
import { kubeFromConfig } from "../../shared/kube.ts";
import { startOwnKube, stopOwnKube } from "../harness/own-platform.ts";
import { natsConnection, uniqueName } from "../harness/servers.ts";
import { startTestHost, waitUntil } from "../runtime/support.ts";
import { removeRunStreams } from "./cleanup.ts";
import { figuresDir, secondsSince, writeFigures } from "./figures.ts";
import { provisionTenantAsHarness } from "./identities.ts";
import { auditRun, awaitOutcomes } from "./ledger.ts";
import { SCENARIO_TIMEOUT_MS, settleTimeout, sized } from "./sizes.ts";
import { prepareWorkload, publishAll } from "./workload.ts";

const SIZE = sized({
  short: { outageMs: 8_000, tenants: 6, requestsPerTenant: 2, pods: 12, eventsPerPod: 5 },
  full: { outageMs: 20_000, tenants: 40, requestsPerTenant: 3, pods: 60, eventsPerPod: 15 },
});

const run = `ao${Date.now().toString(36)}`;
const paths: StatePaths = statePaths(join(figuresDir(), `platform-${uniqueName("o")}`));
// The host's configuration as production reads it: the retry schedule is DEFAULT_RETRY.
const config = configFromEnv({ ...process.env, ICN_SUBJECT_PREFIX: run, ICN_HTTP_PORT: "0" });
let nc: NatsConnection | undefined;
let host: Host | undefined;

afterAll(async () => {
  await host?.drain().catch(() => undefined);
  if (nc) await removeRunStreams(nc, config);
  await nc?.close();
  await stopOwnKube(paths);
});

async function settledCount(h: Host): Promise<number> {
  const counters = [h.metrics.succeeded, h.metrics.rejected, h.metrics.deadLettered];
  const values = await Promise.all(counters.map(async (c) => (await c.get()).values));
  return values.flat().reduce((sum, v) => sum + v.value, 0);
}

test(
  `kube-apiserver down ${SIZE.outageMs / 1000} s during processing: every event completes after it returns, none dead-lettered`,
  async () => {
    const testStarted = Date.now();
    expect(config.retry).toBe(DEFAULT_RETRY);
    const kc = await startOwnKube(paths);
    nc = await natsConnection();
    const functions = [provisionTenantAsHarness(), quarantineRuncPod(optionsFromEnv({}))];
    host = await startTestHost(nc, config, functions, kubeFromConfig(kc));
    const workload = await prepareWorkload(kc.makeApiClient(CoreV1Api), { run, ...SIZE });
    const events = workload.events.map((e) => e.event);
    const third = Math.ceil(events.length / 3);
    const js = jetstream(nc);
    const started = Date.now();
    await publishAll(js, config.prefix, events.slice(0, third));
    // The outage begins while the first events are being handled, not before or after.
    const h = host;
    await waitUntil("processing to be under way", async () =>
      (await settledCount(h)) > 0 ? true : undefined,
    );
    const settledBeforeOutage = await settledCount(h);
    const [outage] = await Promise.all([
      restartApiserver(paths, SIZE.outageMs),
      publishAll(js, config.prefix, events.slice(third), {
        perSecond: events.length / (SIZE.outageMs / 1000),
      }),
    ]);
    const settlement = await awaitOutcomes(host.outcomes, workload.events, settleTimeout(testStarted));
    const durationSeconds = secondsSince(started);
    const result = await auditRun(nc, config, kc, { workload, settlement });
    const retried = (await host.metrics.retried.get()).values.reduce((sum, v) => sum + v.value, 0);
    const lastTry =
      DEFAULT_RETRY.backoffMs.reduce((a, b) => a + b, 0) +
      (DEFAULT_RETRY.attempts - 1 - DEFAULT_RETRY.backoffMs.length) * DEFAULT_RETRY.backoffMs.at(-1)!;
    writeFigures({
      suite: "apiserver-outage",
      title: "kube-apiserver outage (stopped, restarted with the same flags)",
      test: "test/reliability/apiserver-outage.test.ts",
      summary: {
        events: events.length,
        durationSeconds,
        lost: result.lost,
        duplicates: result.duplicates,
        deadLettered: settlement.states["dead-lettered"] ?? 0,
      },
      details: {
        apiserverStoppedSeconds: Math.round((outage.startedAt - outage.stoppedAt) / 100) / 10,
        apiserverUnavailableSeconds: Math.round((outage.readyAt - outage.stoppedAt) / 100) / 10,
        retryAttempts: DEFAULT_RETRY.attempts,
        retryCoversSeconds: lastTry / 1000,
        settledBeforeOutage,
        retriedDeliveries: retried,
        ...settlement.states,
        ...settlement.reasons,
        maxAttempts: settlement.maxAttempts,
        // How close the schedule came to giving up: events that succeeded only on their last attempt.
        eventsOnLastAttempt: [...settlement.outcomes.values()].filter(
          (o) => o.attempts >= DEFAULT_RETRY.attempts,
        ).length,
        ...(settlement.firstDeadLetter ? { firstDeadLetter: settlement.firstDeadLetter } : {}),
        ...result.details,
      },
    });
    expect(retried).toBeGreaterThan(0); // the outage was felt by handlers, not slept through
    expect(settlement.pending).toEqual([]);
    expect(settlement.states["dead-lettered"] ?? 0).toBe(0);
    expect(result).toMatchObject({ lost: 0, duplicates: 0 });
  },
  SCENARIO_TIMEOUT_MS,
);
