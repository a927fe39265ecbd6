// Attack D at the front door (`icnctl ingress`, its own process, against the real nats-server): a far-future `time`
// that would outrank every later request for the tenant, and a request for a tenant its source was not granted.
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { HTTP, type CloudEvent } from "cloudevents";
import type { RuntimeConfig } from "../../shared/config.ts";
import { ensureStreams } from "../../shared/host/streams.ts";
import { aTenantRequested } from "../../schemas/fixtures.ts";
import { killAll } from "../harness/processes.ts";
import { natsConnection, uniqueName } from "../harness/servers.ts";
import * as s from "../ingress/support.ts";
import { testConfig } from "../runtime/support.ts";

const SKEW_MS = 120_000;
const FAR_FUTURE = "2999-01-01T00:00:00Z";
const INTRUDER_TOKEN = "intruder-token-0123456789abcdef";
const INTRUDER_SOURCE = "https://intruder.example.com";
const tenant = uniqueName("d-acme");

let nc: NatsConnection;
let config: RuntimeConfig;
let url: string;

beforeAll(async () => {
  nc = await natsConnection();
  config = testConfig();
  await ensureStreams(await jetstreamManager(nc), config);
  const entries = [
    {
      name: "portal",
      token: s.PORTAL_TOKEN,
      allowedTypes: ["tenant.requested"],
      sourcePattern: s.PORTAL_SOURCE,
      tenants: [tenant],
    },
    {
      name: "intruder",
      token: INTRUDER_TOKEN,
      allowedTypes: ["tenant.requested"],
      sourcePattern: INTRUDER_SOURCE,
      tenants: ["team-*"],
    },
  ];
  ({ url } = await s.ingressProcess(config, entries, { ICN_MAX_CLOCK_SKEW_MS: String(SKEW_MS) }));
});
afterAll(async () => {
  killAll();
  await nc.close();
});

const request = (time?: string, source?: string): CloudEvent<unknown> => {
  const event = s.tenantRequest(source, aTenantRequested({ tenant }));
  return time ? event.cloneWith({ time }) : event;
};
const inSeconds = (seconds: number): string => new Date(Date.now() + seconds * 1000).toISOString();

function post(contentType: string, body: unknown, token = s.PORTAL_TOKEN): Promise<s.Answer> {
  return s.call(`${url}/events`, {
    method: "POST",
    headers: { "content-type": contentType, ...s.bearer(token) },
    body: JSON.stringify(body),
  });
}

async function expectNotOnBus(...events: CloudEvent<unknown>[]): Promise<void> {
  for (const event of events) expect(await s.onBus(nc, config, event.id)).toHaveLength(0);
}

describe("a tenant.requested dated 2999 is refused with 400 and never reaches the stream", () => {
  test("structured mode", async () => {
    const event = request(FAR_FUTURE);
    const answer = await post("application/cloudevents+json", event);
    expect(answer).toMatchObject({ status: 400, json: { error: "invalid_event" } });
    expect(s.paths(answer)).toEqual(["time"]);
    expect(JSON.stringify(answer.json.issues)).toMatch(/ahead of this clock; at most 120 s of clock skew/);
    await expectNotOnBus(event);
  });

  test("binary mode", async () => {
    const event = request(FAR_FUTURE);
    const message = HTTP.binary(event);
    const answer = await s.call(`${url}/events`, {
      method: "POST",
      headers: { ...(message.headers as Record<string, string>), ...s.bearer(s.PORTAL_TOKEN) },
      body: message.body as string,
    });
    expect(answer.status).toBe(400);
    expect(s.paths(answer)).toEqual(["ce-time"]);
    await expectNotOnBus(event);
  });

  test("batch mode: the whole batch is refused, its good event too", async () => {
    const good = request();
    const future = request(FAR_FUTURE);
    const answer = await post("application/cloudevents-batch+json", [good, future]);
    expect(answer.status).toBe(400);
    expect(s.paths(answer)).toEqual(["[1].time"]);
    await expectNotOnBus(good, future);
  });

  test("ICN_MAX_CLOCK_SKEW_MS sets the allowance: 60 s ahead passes, 180 s ahead does not", async () => {
    const near = request(inSeconds(60));
    const beyond = request(inSeconds(180));
    expect((await post("application/cloudevents+json", near)).status).toBe(202);
    expect(await s.onBus(nc, config, near.id)).toHaveLength(1);
    expect((await post("application/cloudevents+json", beyond)).status).toBe(400);
    await expectNotOnBus(beyond);
  });
});

describe("a source may request only the tenants its configuration grants", () => {
  test("a source without a grant for the tenant is refused with 403, nothing published", async () => {
    const event = request(undefined, `${INTRUDER_SOURCE}/tickets/666`);
    const answer = await post("application/cloudevents+json", event, INTRUDER_TOKEN);
    expect(answer).toMatchObject({ status: 403, json: { error: "forbidden" } });
    expect(answer.json.issues).toEqual([
      { path: "data.tenant", message: `source "intruder" may not request tenant "${tenant}" (only team-*)` },
    ]);
    await expectNotOnBus(event);
  });

  test("the granted source is accepted and its request reaches the stream", async () => {
    const event = request();
    expect(await post("application/cloudevents+json", event)).toMatchObject({
      status: 202,
      json: { id: event.id },
    });
    expect(await s.onBus(nc, config, event.id)).toHaveLength(1);
  });
});
