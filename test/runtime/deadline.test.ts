// Each attempt has a real deadline: its signal aborts and the attempt fails as TIMEOUT, retried; a drain
// that outlives its deadline aborts the handlers still running and hands their events back unspent.
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { newEvent, publishEvent } from "../../shared/events.ts";
import { defineFunction, type HandlerContext } from "../../shared/function.ts";
import { DLQ_HEADERS } from "../../shared/host/dead-letter.ts";
import { deadLetterSubject } from "../../shared/host/streams.ts";
import { startHost } from "../../shared/host/host.ts";
import { kubeFromConfig } from "../../shared/kube.ts";
import { createLogger } from "../../shared/logging.ts";
import { kubeConfig, natsConnection } from "../harness/servers.ts";
import { startTestHost, streamMessages, testConfig, waitForOutcome, waitUntil } from "./support.ts";

let nc: NatsConnection;
/** What each handler saw: the attempt, and why its signal aborted (once it did). */
const seen: { node: string; attempt: number; reason?: string }[] = [];

beforeAll(async () => {
  nc = await natsConnection();
});
afterEach(() => {
  seen.length = 0;
});
afterAll(async () => {
  await nc.close();
});

/** Waits on its signal alone, as a handler blocked in an apiserver call that honours it would. */
async function waitOnSignal(node: string, ctx: HandlerContext): Promise<void> {
  const entry: (typeof seen)[number] = { node, attempt: ctx.attempt };
  seen.push(entry);
  await new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve(), { once: true }));
  entry.reason = (ctx.signal.reason as { code?: string }).code;
  throw ctx.signal.reason;
}

const nodeJoined = (node: string): ReturnType<typeof newEvent> =>
  newEvent({ name: "node.joined", source: "urn:test:deadline", data: { node } });

test("an attempt past its deadline has its signal aborted, fails as TIMEOUT and is retried, then dead-lettered", async () => {
  const config = testConfig({ retry: { attempts: 2, backoffMs: [50] } });
  const stuck = defineFunction({
    name: "stuck",
    on: "node.joined",
    emits: [],
    timeoutMs: 300,
    handle: (event, ctx) =>
      // One handler listens to its signal; the other ignores it, and its attempt ends all the same.
      event.data.node === "deaf-1"
        ? new Promise<void>(() => seen.push({ node: "deaf-1", attempt: ctx.attempt }))
        : waitOnSignal(event.data.node, ctx),
  });
  const host = await startTestHost(nc, config, [stuck]);
  try {
    const listening = nodeJoined("listening-1");
    const deaf = nodeJoined("deaf-1");
    await publishEvent(jetstream(nc), config.prefix, listening);
    await publishEvent(jetstream(nc), config.prefix, deaf);
    for (const event of [listening, deaf]) {
      const outcome = await waitForOutcome(host, event, "stuck", ["dead-lettered"]);
      expect(outcome).toMatchObject({ attempts: 2, error: { code: "TIMEOUT" } });
    }
    expect(seen.filter((s) => s.node === "listening-1")).toEqual([
      { node: "listening-1", attempt: 1, reason: "TIMEOUT" },
      { node: "listening-1", attempt: 2, reason: "TIMEOUT" },
    ]);
    expect(seen.filter((s) => s.node === "deaf-1").map((s) => s.attempt)).toEqual([1, 2]);
    const letters = await waitUntil("two dead letters", async () => {
      const all = await streamMessages(nc, config.deadLetterStream, deadLetterSubject(config, "stuck"));
      return all.length === 2 ? all : undefined;
    });
    expect(letters.map((l) => l.headers[DLQ_HEADERS.code])).toEqual([["TIMEOUT"], ["TIMEOUT"]]);
  } finally {
    await host.drain();
  }
});

test("a drain that outlives its deadline aborts the handler; the event goes back unspent and another host finishes it", async () => {
  const config = testConfig();
  let hang = true;
  const patient = defineFunction({
    name: "patient",
    on: "node.joined",
    emits: [],
    handle: async (event, ctx) => {
      if (hang) return waitOnSignal(event.data.node, ctx);
      seen.push({ node: event.data.node, attempt: ctx.attempt });
    },
  });
  const log = createLogger("test-host", process.env.ICN_LOG_LEVEL ?? "silent");
  const kube = kubeFromConfig(kubeConfig());
  const first = await startHost({ functions: [patient], nc, kube, config, log, drainTimeoutMs: 200 });
  const event = nodeJoined("draining-1");
  await publishEvent(jetstream(nc), config.prefix, event);
  await waitUntil("the handler running", () => Promise.resolve(seen.length ? true : undefined));
  await first.drain();
  expect(seen).toEqual([{ node: "draining-1", attempt: 1, reason: "SHUTDOWN" }]);
  // Not the event's failure: nothing says it is retrying, and the next host's try is still the first.
  expect((await first.outcomes.get(event, "patient"))?.state).not.toBe("retrying");
  hang = false;
  const second = await startTestHost(nc, config, [patient]);
  try {
    expect(await waitForOutcome(second, event, "patient", ["succeeded"])).toMatchObject({ attempts: 1 });
    expect(seen[1]).toEqual({ node: "draining-1", attempt: 1 });
  } finally {
    await second.drain();
  }
});

test("the deadline aborts the handler's apiserver call itself, and a result emitted after it is not published", async () => {
  const config = testConfig({ retry: { attempts: 1, backoffMs: [] } });
  const calls: { node: string; settled?: string; emitted?: string }[] = [];
  const watching = defineFunction({
    name: "watching",
    on: "node.joined",
    emits: ["node.kata-enabled"],
    timeoutMs: 300,
    handle: async (event, ctx) => {
      const call: (typeof calls)[number] = { node: event.data.node };
      calls.push(call);
      // A watch answers only when its own timeout ends (5 s): unless the attempt's signal reaches the
      // request, the call completes then, long after the attempt was given up.
      try {
        await ctx.kube.core.listNamespacedPod({ namespace: "default", watch: true, timeoutSeconds: 5 });
        call.settled = "completed";
      } catch (err) {
        call.settled = (err as { code?: string }).code ?? (err as Error).name;
      }
      try {
        await ctx.emit("node.kata-enabled", { node: event.data.node, reason: "test" });
        call.emitted = "published";
      } catch (err) {
        call.emitted = (err as { code?: string }).code ?? (err as Error).name;
      }
    },
  });
  const host = await startTestHost(nc, config, [watching]);
  try {
    const event = nodeJoined("watching-1");
    await publishEvent(jetstream(nc), config.prefix, event);
    const outcome = await waitForOutcome(host, event, "watching", ["dead-lettered"]);
    expect(outcome).toMatchObject({ error: { code: "TIMEOUT" }, results: [] });
    const call = await waitUntil("the handler's call settled", () =>
      Promise.resolve(calls[0]?.emitted ? calls[0] : undefined),
    );
    // fetch rejects with the signal's reason: the attempt's TIMEOUT, not the watch's own end.
    expect(call).toEqual({ node: "watching-1", settled: "TIMEOUT", emitted: "TIMEOUT" });
  } finally {
    await host.drain();
  }
});
