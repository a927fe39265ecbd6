// The ingress as its own process: configured from the environment, it publishes, and SIGTERM exits 0.
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
  const { process: ingress, url, host } = await s.ingressProcess(config, s.sourceEntries());
  expect(host).toBe("127.0.0.1");
  const event = s.tenantRequest();
  const answer = await s.call(`${url}/events`, {
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
  const file = s.sourcesFile([{ name: "x", token: s.PORTAL_TOKEN, allowedTypes: ["tenant.provisioned"] }]);
  const ingress = spawnNode("shared/ingress/main.ts", { ICN_INGRESS_SOURCES: file, ICN_INGRESS_PORT: "0" });
  expect(await ingress.exited).toBe(1);
  expect(ingress.output()).toMatch(
    /allowedTypes\.0: allowedTypes may name only tenant\.requested, tenant\.cordon-requested, tenant\.uncordon-requested, tenant\.retire-requested, node\.joined, pod\.unsafe/,
  );
});
