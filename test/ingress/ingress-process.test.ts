// The ingress as its own process: configured from the environment, it publishes, and SIGTERM exits 0.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { ensureStreams } from "../../shared/host/streams.ts";
import { killAll, spawnNode } from "../harness/processes.ts";
import { natsConnection } from "../harness/servers.ts";
import { testConfig } from "../runtime/support.ts";
import * as s from "./support.ts";

let nc: NatsConnection;

beforeAll(async () => {
  nc = await natsConnection();
});
afterEach(() => killAll());
afterAll(async () => {
  await nc.close();
});

test("main.ts reads ICN_INGRESS_* settings, publishes to the bus, and drains on SIGTERM", async () => {
  const config = testConfig();
  await ensureStreams(await jetstreamManager(nc), config);
  const file = join(mkdtempSync(join(tmpdir(), "icn-ingress-")), "sources.json");
  writeFileSync(file, JSON.stringify(s.sourceEntries()));
  const ingress = spawnNode("shared/ingress/main.ts", {
    NATS_URL: config.natsUrl,
    ICN_SUBJECT_PREFIX: config.prefix,
    ICN_INGRESS_SOURCES: file,
    ICN_INGRESS_PORT: "0",
    ICN_LOG_LEVEL: "info",
  });
  await ingress.waitFor(/"msg":"ingress listening"/);
  const listening = /"host":"([^"]+)","port":(\d+)/.exec(ingress.output());
  expect(listening?.[1]).toBe("127.0.0.1");
  const event = s.tenantRequest();
  const answer = await s.call(`http://127.0.0.1:${listening?.[2]}/events`, {
    method: "POST",
    headers: { "content-type": "application/cloudevents+json", ...s.bearer(s.PORTAL_TOKEN) },
    body: JSON.stringify(event),
  });
  expect(answer).toMatchObject({ status: 202, json: { id: event.id } });
  expect(await s.onBus(nc, config, event.id)).toHaveLength(1);
  ingress.child.kill("SIGTERM");
  expect(await ingress.exited).toBe(0);
  expect(ingress.output()).toMatch(/"msg":"drained; exiting"/);
});

test("main.ts refuses to start with a sources file that holds a result type, and says why", async () => {
  const file = join(mkdtempSync(join(tmpdir(), "icn-ingress-")), "sources.json");
  writeFileSync(
    file,
    JSON.stringify([{ name: "x", token: s.PORTAL_TOKEN, allowedTypes: ["tenant.provisioned"] }]),
  );
  const ingress = spawnNode("shared/ingress/main.ts", { ICN_INGRESS_SOURCES: file, ICN_INGRESS_PORT: "0" });
  expect(await ingress.exited).toBe(1);
  expect(ingress.output()).toMatch(
    /allowedTypes\.0: allowedTypes may name only tenant\.requested, node\.joined, pod\.unsafe/,
  );
});
