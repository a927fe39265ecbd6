// Event storm: thousands of pod.unsafe reports for a few pods in seconds; each pod quarantined once, evictions rate-limited, requests budgeted.
import { CoreV1Api } from "@kubernetes/client-node";
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { optionsFromEnv, quarantineRuncPod } from "../../functions/quarantine-runc-pod/index.ts";
import type { RateLimiter } from "../../functions/quarantine-runc-pod/rate-limit.ts";
import { DEFAULT_RETRY } from "../../shared/config.ts";
import type { Host } from "../../shared/host/host.ts";
import { kubeFromConfig } from "../../shared/kube.ts";
import { applyBaseRbac } from "../deploy/identities.ts";
import { kubeConfig, natsConnection } from "../harness/servers.ts";
import { startTestHost, testConfig } from "../runtime/support.ts";
import { removeRunStreams } from "./cleanup.ts";
import { countingKube, maxInWindow, worstExcess } from "./counting-kube.ts";
import { secondsSince, writeFigures } from "./figures.ts";
import { quarantineEventsByPod } from "./counts.ts";
import { awaitOutcomes } from "./ledger.ts";
import { SCENARIO_TIMEOUT_MS, settleTimeout, sized } from "./sizes.ts";
import { podUnsafe, publishAll, unsafePods, type Expected } from "./workload.ts";

const SIZE = sized({ short: { events: 1_000, pods: 20 }, full: { events: 10_000, pods: 100 } });
const STORM_SECONDS = 10;
// The shipped defaults (ICN_QUARANTINE_DESTRUCTIVE_PER_MINUTE=30, so a burst of 5), with evict on.
const PER_MINUTE = 30;
const BURST = 5;
/**
 * The budget: every report costs at most 4 calls (read pod, read namespace, apply policy, and the
 * label or the claim: a labelled pod skips the label, a claim this host has seen costs nothing);
 * each pod once more (the one report that both labels and claims), an eviction and an Event; a
 * retry repeats a report; and the host sweeps old claims once (a list) when it starts.
 */
const budget = (events: number, pods: number, retries: number): number =>
  4 * (events + retries) + 3 * pods + 1;

const kc = kubeConfig();
const config = testConfig({ retry: DEFAULT_RETRY, ackWaitMs: 30_000 });
let nc: NatsConnection;
let host: Host | undefined;

beforeAll(async () => {
  // The platform as installed: the quarantine claims live in its namespace.
  await applyBaseRbac();
  nc = await natsConnection();
});
afterAll(async () => {
  await host?.drain();
  await removeRunStreams(nc, config);
  await nc.close();
});

/** The limiter the function is configured with, recording when it granted a destructive action. */
function recordingLimiter(limiter: RateLimiter, granted: number[]): RateLimiter {
  return {
    tryTake(): boolean {
      const ok = limiter.tryTake();
      if (ok) granted.push(Date.now());
      return ok;
    },
  };
}

test(
  `${SIZE.events} pod.unsafe in ${STORM_SECONDS} s for ${SIZE.pods} pods: ${SIZE.pods} quarantines, evictions within the rate, requests within budget`,
  async () => {
    const testStarted = Date.now();
    const namespace = `st${Date.now().toString(36)}`;
    const pods = await unsafePods(kc.makeApiClient(CoreV1Api), namespace, SIZE.pods);
    const granted: number[] = [];
    const options = optionsFromEnv({
      ICN_QUARANTINE_ACTION: "evict",
      ICN_QUARANTINE_DESTRUCTIVE_PER_MINUTE: String(PER_MINUTE),
    });
    const counting = countingKube(kubeFromConfig(kc));
    const fn = quarantineRuncPod({ ...options, limiter: recordingLimiter(options.limiter, granted) });
    host = await startTestHost(nc, config, [fn], counting.kube);
    const expected: Expected[] = Array.from({ length: SIZE.events }, (_, i) => ({
      event: podUnsafe(pods[i % pods.length]!, `urn:icn:reliability:${namespace}`),
      fn: fn.name,
    }));
    const started = Date.now();
    await publishAll(
      jetstream(nc),
      config.prefix,
      expected.map((e) => e.event),
      {
        perSecond: SIZE.events / STORM_SECONDS,
      },
    );
    const publishedSeconds = secondsSince(started);
    const settlement = await awaitOutcomes(host.outcomes, expected, settleTimeout(testStarted));
    const durationSeconds = secondsSince(started);
    const quarantines = await quarantineEventsByPod(kc, namespace);
    const remaining = await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace });
    const labelled = remaining.items.filter(
      (p) => p.metadata?.labels?.["icn.akraino.org/quarantine"] === "true",
    );
    const evictions = counting.calls
      .filter((c) => c.method === "createNamespacedPodEviction")
      .map((c) => c.at);
    const retries = (await host.metrics.retried.get()).values.reduce((sum, v) => sum + v.value, 0);
    const allowedRequests = budget(SIZE.events, SIZE.pods, retries);
    const duplicates = [...quarantines.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);
    writeFigures({
      suite: "event-storm",
      title: "Event storm (pod.unsafe, evict mode)",
      test: "test/reliability/event-storm.test.ts",
      summary: {
        events: SIZE.events,
        durationSeconds,
        lost: settlement.pending.length + pods.filter((p) => !quarantines.has(p.metadata?.uid ?? "")).length,
        duplicates,
        deadLettered: settlement.states["dead-lettered"] ?? 0,
      },
      details: {
        pods: SIZE.pods,
        publishedSeconds,
        podsWithQuarantineEvent: quarantines.size,
        podsLabelledAndKept: labelled.length,
        podsEvicted: SIZE.pods - remaining.items.length,
        evictionCalls: evictions.length,
        destructivePerMinute: PER_MINUTE,
        destructiveBurst: BURST,
        maxEvictionsIn10s: maxInWindow(evictions, 10_000),
        allowedEvictionsIn10s: Math.floor(BURST + PER_MINUTE / 6),
        apiserverRequests: counting.calls.length,
        requestsPerEvent: Math.round((counting.calls.length / SIZE.events) * 100) / 100,
        requestBudget: allowedRequests,
        retriedDeliveries: retries,
        ...settlement.states,
        ...settlement.reasons,
      },
    });
    expect(settlement.pending).toEqual([]);
    expect(settlement.states["dead-lettered"] ?? 0).toBe(0);
    // Exactly one quarantine per pod: one Kubernetes Event each, and each pod labelled or evicted.
    expect(quarantines.size).toBe(SIZE.pods);
    expect(duplicates).toBe(0);
    expect(labelled.length + (SIZE.pods - remaining.items.length)).toBe(SIZE.pods);
    // Destructive actions: none without a token, tokens within the bucket, API calls within it too.
    expect(evictions.length).toBeLessThanOrEqual(granted.length);
    expect(evictions.length).toBe(SIZE.pods - remaining.items.length);
    expect(worstExcess(granted, PER_MINUTE, BURST)).toBeLessThanOrEqual(1e-9);
    expect(worstExcess(evictions, PER_MINUTE, BURST, 1)).toBeLessThanOrEqual(1e-9);
    expect(counting.calls.length).toBeLessThanOrEqual(allowedRequests);
  },
  SCENARIO_TIMEOUT_MS,
);
