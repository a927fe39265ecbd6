// The console in Debian's Chromium: the page weight of a first load (bytes on the wire, as Chromium's
// network log counts them) and publish → row in the live table, p50/p99 over 200 events, timed in the page.
import { jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { KubeConfig } from "@kubernetes/client-node";
import { openSession } from "../../cli/context.ts";
import { startConsole } from "../../console/server.ts";
import { DEFAULT_RETRY } from "../../shared/config.ts";
import { newEvent, publishEvent } from "../../shared/events.ts";
import { defineFunction } from "../../shared/function.ts";
import { startHost } from "../../shared/host/host.ts";
import { kubeFromConfig } from "../../shared/kube.ts";
import { createLogger } from "../../shared/logging.ts";
import { launchBrowser } from "../console/support.ts";
import {
  benchConfig,
  percentile,
  platform,
  progress,
  removeBenchStreams,
  round,
  writeFigures,
} from "./support.ts";

const EVENTS = Number(process.env.BENCH_CONSOLE_EVENTS ?? 200);
/** One event every 50 ms: a busy bus for an operator's screen, and each row timed on its own. */
const GAP_MS = 50;

const OBSERVE_ROWS = `(() => {
  const seen = (globalThis.__seen = {});
  new MutationObserver((changes) => {
    const at = performance.timeOrigin + performance.now();
    for (const change of changes)
      for (const node of change.addedNodes) if (node.dataset?.id) seen[node.dataset.id] ??= at;
  }).observe(document.getElementById("live-rows"), { childList: true });
})()`;

const { kubeconfig, natsUrl } = await platform();
const nc = await connect({ servers: natsUrl });
const config = benchConfig(natsUrl, "console", DEFAULT_RETRY);
const noop = defineFunction({ name: "noop", on: "node.joined", emits: [], handle: () => Promise.resolve() });
const kc = new KubeConfig();
kc.loadFromFile(kubeconfig);
const host = await startHost({
  functions: [noop],
  nc,
  kube: kubeFromConfig(kc),
  config,
  log: createLogger("bench", "silent"),
});
const session = await openSession({ NATS_URL: natsUrl, ICN_SUBJECT_PREFIX: config.prefix });
const web = await startConsole({
  session,
  kube: kubeFromConfig(kc),
  host: "127.0.0.1",
  port: 0,
  allowActions: false,
  operator: "bench",
});
const browser = await launchBrowser();
try {
  const page = await browser.context.newPage();
  const cdp = await browser.context.newCDPSession(page);
  await cdp.send("Network.enable");
  let bytes = 0;
  let requests = 0;
  cdp.on("Network.loadingFinished", (e) => {
    bytes += e.encodedDataLength;
    requests++;
  });
  await page.goto(`${web.url}#token=${web.token}`);
  await page.locator("#live-state", { hasText: "live" }).waitFor();
  const firstLoadKb = bytes / 1024;
  progress(`first load: ${requests} requests, ${round(firstLoadKb)} KB`);

  // Each row's arrival, on the machine's clock (the page and this process share it); a string, since the
  // page's code runs in the browser, which this file's types do not describe.
  await page.evaluate(OBSERVE_ROWS);
  const js = jetstream(nc);
  const published = new Map<string, number>();
  for (let i = 0; i < EVENTS; i++) {
    const event = newEvent({
      name: "node.joined",
      source: "urn:bench:console",
      data: { node: `bench-${i}` },
    });
    published.set(event.id, Date.now());
    await publishEvent(js, config.prefix, event);
    await new Promise((r) => setTimeout(r, GAP_MS));
  }
  await page.waitForFunction(
    (count) => Object.keys((globalThis as { __seen?: object }).__seen ?? {}).length >= count,
    EVENTS,
    { timeout: 60_000 },
  );
  const seen = await page.evaluate(() => (globalThis as { __seen?: Record<string, number> }).__seen ?? {});
  const latencies = [...published].map(([id, at]) => (seen[id] ?? NaN) - at).sort((a, b) => a - b);
  const figures = {
    consoleFirstLoadKb: round(firstLoadKb),
    consoleFirstLoadRequests: requests,
    consoleRowP50Ms: round(percentile(latencies, 50)),
    consoleRowP99Ms: round(percentile(latencies, 99)),
    consoleRowEvents: EVENTS,
  };
  const file = writeFigures("console.json", figures);
  process.stdout.write(`${JSON.stringify(figures, null, 2)}\nwritten to ${file}\n`);
} finally {
  await browser.close();
  await web.close();
  await session.close();
  await host.drain();
  await removeBenchStreams(nc);
  await nc.close();
}
