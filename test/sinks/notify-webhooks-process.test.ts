// The notifier as its own process: webhooks from ICN_WEBHOOKS, a delivery, and a clean exit on SIGTERM.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { newEvent, publishEvent } from "../../shared/events.ts";
import { ensureStreams } from "../../shared/host/streams.ts";
import { aTenantRejected } from "../../schemas/fixtures.ts";
import { killAll, spawnNode } from "../harness/processes.ts";
import { natsConnection } from "../harness/servers.ts";
import { testConfig, waitUntil } from "../runtime/support.ts";
import { startReceiver } from "./webhook-receiver.ts";

let nc: NatsConnection;

beforeAll(async () => {
  nc = await natsConnection();
});
afterEach(() => killAll());
afterAll(async () => {
  await nc.close();
});

test("main.ts delivers a configured result event and drains on SIGTERM", async () => {
  const config = testConfig();
  await ensureStreams(await jetstreamManager(nc), config);
  // A plain secret, as configured before the notifier followed Standard Webhooks: its receiver-side form.
  const secret = "0123456789abcdef";
  const receiver = await startReceiver(() => 200, {
    secret: `whsec_${Buffer.from(secret).toString("base64")}`,
  });
  const file = join(mkdtempSync(join(tmpdir(), "icn-webhooks-")), "webhooks.json");
  const webhook = { name: "ops", url: receiver.url, secret, types: ["tenant.rejected"] };
  writeFileSync(file, JSON.stringify([webhook]));
  const notifier = spawnNode("shared/sinks/webhooks/main.ts", {
    NATS_URL: config.natsUrl,
    ICN_SUBJECT_PREFIX: config.prefix,
    ICN_WEBHOOKS: file,
    ICN_WEBHOOK_TIMEOUT_MS: "2000",
    ICN_LOG_LEVEL: "info",
  });
  try {
    await notifier.waitFor(/"msg":"notifier ready"/);
    const event = newEvent({ name: "tenant.rejected", source: config.source, data: aTenantRejected() });
    await publishEvent(jetstream(nc), config.prefix, event);
    const [request] = await waitUntil("the delivery", () =>
      Promise.resolve(receiver.requests.length ? receiver.requests : undefined),
    );
    expect(request?.verified?.ok).toBe(true);
    expect(request?.verified).toHaveProperty("event.id", event.id);
    await notifier.waitFor(/"msg":"notification delivered"/);
    notifier.child.kill("SIGTERM");
    expect(await notifier.exited).toBe(0);
    expect(notifier.output()).toMatch(/"msg":"drained; exiting"/);
  } finally {
    await receiver.close();
  }
});
