// Attack J: a captured webhook delivery, its CloudEvent attributes or webhook-id changed, replayed to the receiver.
import { randomBytes } from "node:crypto";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { newEvent, publishEvent } from "../../shared/events.ts";
import { ensureStreams } from "../../shared/host/streams.ts";
import { createLogger } from "../../shared/logging.ts";
import { startNotifier } from "../../shared/sinks/webhooks/notifier.ts";
import { parseWebhooks } from "../../shared/sinks/webhooks/webhooks.ts";
import { aTenantProvisioned } from "../../schemas/fixtures.ts";
import { natsConnection } from "../harness/servers.ts";
import { testConfig, waitUntil } from "../runtime/support.ts";
import { startReceiver, type Received, type Receiver } from "../sinks/webhook-receiver.ts";

const SECRET = `whsec_${randomBytes(32).toString("base64")}`;
// fetch sets these itself; everything else is replayed exactly as captured.
const HOP_BY_HOP = new Set(["host", "content-length", "connection", "keep-alive", "transfer-encoding"]);

interface Delivery {
  headers: Record<string, string>;
  body: string;
}

let nc: NatsConnection;
let receiver: Receiver | undefined;

beforeAll(async () => {
  nc = await natsConnection();
});
afterAll(async () => {
  await receiver?.close();
  await nc.close();
});

function captured(request: Received): Delivery {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers))
    if (typeof value === "string" && !HOP_BY_HOP.has(name)) headers[name] = value;
  return { headers, body: request.body.toString("utf8") };
}

/** Changes an attribute where the delivery carries it: a `ce-` header (binary mode) or the JSON body (structured). */
function withAttribute(delivery: Delivery, name: string, value: string): Delivery {
  const headers = { ...delivery.headers };
  if (`ce-${name}` in headers) headers[`ce-${name}`] = value;
  if (!/^application\/cloudevents\+json/.test(headers["content-type"] ?? ""))
    return { headers, body: delivery.body };
  const event = JSON.parse(delivery.body) as Record<string, unknown>;
  return { headers, body: JSON.stringify({ ...event, [name]: value }) };
}

function withHeader(delivery: Delivery, name: string, value: string): Delivery {
  return { headers: { ...delivery.headers, [name]: value }, body: delivery.body };
}

async function replay(url: string, delivery: Delivery): Promise<number> {
  const res = await fetch(url, { method: "POST", headers: delivery.headers, body: delivery.body });
  await res.body?.cancel();
  return res.status;
}

/** A real notifier delivers one signed result event to the receiver; the request as it arrived. */
async function deliverOne(): Promise<{
  delivery: Delivery;
  event: { id: string; source: string; type: string };
}> {
  const config = testConfig();
  await ensureStreams(await jetstreamManager(nc), config);
  receiver = await startReceiver(() => 200, { secret: SECRET });
  const webhooks = parseWebhooks([
    { name: "ticketing", url: receiver.url, secret: SECRET, types: ["tenant.provisioned"] },
  ]);
  const log = createLogger("test-notifier", process.env.ICN_LOG_LEVEL ?? "silent");
  const notifier = await startNotifier({ nc, config, webhooks, log, timeoutMs: 5_000 });
  try {
    const event = newEvent({ name: "tenant.provisioned", source: config.source, data: aTenantProvisioned() });
    await publishEvent(jetstream(nc), config.prefix, event);
    const requests = receiver.requests;
    const [first] = await waitUntil("the delivery", () =>
      Promise.resolve(requests.length ? requests : undefined),
    );
    return { delivery: captured(first!), event };
  } finally {
    await notifier.drain();
  }
}

test("the receiver refuses a delivery whose type, id, source, webhook-id or timestamp was changed", async () => {
  const { delivery, event } = await deliverOne();
  const url = receiver!.url;
  const tampered: Record<string, Delivery> = {
    type: withAttribute(delivery, "type", "org.akraino.icn.tenant.rejected"),
    id: withAttribute(delivery, "id", `${event.id}-fresh`),
    source: withAttribute(delivery, "source", "urn:icn:elsewhere"),
    "webhook-id": withHeader(delivery, "webhook-id", `msg_${randomBytes(16).toString("hex")}`),
    "webhook-timestamp": withHeader(
      delivery,
      "webhook-timestamp",
      String(Math.floor(Date.now() / 1000) - 60),
    ),
  };
  const statuses: Record<string, number> = {};
  for (const [what, copy] of Object.entries(tampered)) statuses[what] = await replay(url, copy);
  expect(statuses).toEqual({ type: 401, id: 401, source: 401, "webhook-id": 401, "webhook-timestamp": 401 });
  const refusals = receiver!.requests
    .slice(1)
    .map((r) => (r.verified?.ok === false ? r.verified.reason : "accepted"));
  expect(refusals).toEqual(Array(5).fill("No matching signature found"));

  // The copy as signed verifies, and the receiver acts on the genuine event once: the replay shares its webhook-id.
  expect(await replay(url, delivery)).toBe(200);
  expect(receiver!.actedOn).toEqual([
    expect.objectContaining({ id: event.id, source: event.source, type: event.type }),
  ]);
});
