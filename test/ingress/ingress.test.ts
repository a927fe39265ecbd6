// The HTTP ingress against the real nats-server: the three modes arrive on the bus; every refusal has its status.
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { emitterFor, httpTransport, Mode, type CloudEvent } from "cloudevents";
import type { RuntimeConfig } from "../../shared/config.ts";
import { newEvent } from "../../shared/events.ts";
import { defineFunction } from "../../shared/function.ts";
import type { Host } from "../../shared/host/host.ts";
import { ensureStreams } from "../../shared/host/streams.ts";
import { startIngress, type Ingress } from "../../shared/ingress/server.ts";
import { aTenantProvisioned, aTenantRequested } from "../../schemas/fixtures.ts";
import { natsConnection } from "../harness/servers.ts";
import { startTestHost, testConfig, waitUntil } from "../runtime/support.ts";
import * as s from "./support.ts";

let nc: NatsConnection;
let config: RuntimeConfig;
let ingress: Ingress;
let url: string;
let host: Host;
const logs = s.capturingLogger();
const MAX_BYTES = 4096;

// Trivial, so GET /events/{id} has an outcome and a result to show.
const ticketEcho = defineFunction({
  name: "ticket-echo",
  on: "tenant.requested",
  emits: ["tenant.provisioned"],
  handle: (event, ctx) =>
    ctx.emit("tenant.provisioned", {
      tenant: event.data.tenant,
      namespaces: [event.data.tenant],
      applied: [`Namespace/${event.data.tenant}`],
    }),
});

beforeAll(async () => {
  nc = await natsConnection();
  config = testConfig();
  await ensureStreams(await jetstreamManager(nc), config);
  ingress = await startIngress({ nc, config, sources: s.testSources(), log: logs.log, maxBytes: MAX_BYTES });
  url = `http://127.0.0.1:${ingress.port}`;
  host = await startTestHost(nc, config, [ticketEcho]);
});
afterAll(async () => {
  await host.drain();
  await ingress.close();
  await nc.close();
});

const structured = (body: unknown, token = s.PORTAL_TOKEN): Promise<s.Answer> =>
  s.call(`${url}/events`, {
    method: "POST",
    headers: { "content-type": "application/cloudevents+json", ...s.bearer(token) },
    body: JSON.stringify(body),
  });

async function emit(event: CloudEvent<unknown>, mode: Mode): Promise<unknown> {
  const response = (await emitterFor(httpTransport(`${url}/events`), { mode })(event, {
    headers: s.bearer(s.PORTAL_TOKEN),
  })) as { body: string };
  return JSON.parse(response.body);
}

describe("accepted events reach the bus", () => {
  test.each([Mode.BINARY, Mode.STRUCTURED])("sent with the SDK's HTTP emitter in %s mode", async (mode) => {
    const event = s.tenantRequest();
    expect(await emit(event, mode)).toEqual({ id: event.id });
    const [message, ...more] = await s.onBus(nc, config, event.id);
    expect(more).toHaveLength(0);
    expect(message?.subject).toBe(`${config.prefix}.tenant.requested`);
    expect(message?.headers["ce-source"]).toEqual([event.source]);
    expect(s.dataOf(message!)).toEqual(event.data);
    expect(logs.lines()).toContainEqual(
      expect.objectContaining({ msg: "event accepted", eventId: event.id, ingressSource: "portal" }),
    );
  });

  test("a batch arrives whole; a hashed token authenticates its source", async () => {
    const events = [s.podUnsafe(), s.podUnsafe(`${s.DETECTOR_SOURCE}:other`)];
    const answer = await s.call(`${url}/events`, {
      method: "POST",
      headers: { "content-type": "application/cloudevents-batch+json", ...s.bearer(s.DETECTOR_TOKEN) },
      body: JSON.stringify(events),
    });
    expect(answer).toMatchObject({ status: 202, json: { ids: events.map((e) => e.id) } });
    for (const event of events) expect(await s.onBus(nc, config, event.id)).toHaveLength(1);
  });

  test("a repeated id from the same source is accepted once and stored once", async () => {
    const event = s.tenantRequest();
    expect(await structured(event)).toMatchObject({ status: 202, json: { id: event.id } });
    expect(await structured(event)).toMatchObject({ status: 202, json: { id: event.id, duplicate: true } });
    expect(await s.onBus(nc, config, event.id)).toHaveLength(1);
  });
});

describe("GET /events/{id}", () => {
  test("returns what each function did with the event, to its own source only", async () => {
    const event = s.tenantRequest();
    await structured(event);
    const outcome = await waitUntil("an outcome over HTTP", async () => {
      const answer = await s.call(`${url}/events/${encodeURIComponent(event.id)}`, {
        headers: s.bearer(s.PORTAL_TOKEN),
      });
      return answer.status === 200 ? answer : undefined;
    });
    expect(outcome.json).toMatchObject({
      id: event.id,
      outcomes: [{ function: "ticket-echo", state: "succeeded", event: { id: event.id } }],
    });
    const asDetector = await s.call(`${url}/events/${event.id}`, { headers: s.bearer(s.DETECTOR_TOKEN) });
    expect(asDetector.status).toBe(404);
    expect((await s.call(`${url}/events/no-such-event`, { headers: s.bearer(s.PORTAL_TOKEN) })).status).toBe(
      404,
    );
    expect((await s.call(`${url}/events/${event.id}`)).status).toBe(401);
  });

  test("returns what was applied (each result's type and data); a result's id names the event it answers", async () => {
    const event = s.tenantRequest();
    await structured(event);
    const get = (id: string, token = s.PORTAL_TOKEN): Promise<s.Answer> =>
      s.call(`${url}/events/${encodeURIComponent(id)}`, { headers: s.bearer(token) });
    const answer = await waitUntil("an outcome over HTTP", async () => {
      const got = await get(event.id);
      return got.status === 200 ? got : undefined;
    });
    const { tenant } = aTenantRequested();
    const data = { tenant, namespaces: [tenant], applied: [`Namespace/${tenant}`] };
    const [outcome] = answer.json.outcomes as { results: string[]; emitted: unknown }[];
    const resultId = outcome?.results[0] ?? "";
    expect(outcome?.emitted).toEqual([{ id: resultId, type: "org.akraino.icn.tenant.provisioned", data }]);

    const ofResult = await get(resultId);
    expect(ofResult).toMatchObject({
      status: 200,
      json: {
        id: resultId,
        resultOf: {
          event: { id: resultId, type: "org.akraino.icn.tenant.provisioned" },
          function: "ticket-echo",
          cause: { id: event.id, source: event.source, type: event.type },
          data,
        },
        outcomes: [],
      },
    });
    // Another source learns nothing of it, as of the event itself.
    expect((await get(resultId, s.DETECTOR_TOKEN)).status).toBe(404);
  });
});

describe("400 names every field that failed, and nothing is published", () => {
  test("structured: a missing id and bad data are all named", async () => {
    const noId: Record<string, unknown> = s
      .tenantRequest(undefined, {
        tenant: "kube-system",
        admins: [{ kind: "User", name: "system:masters" }],
        colour: "red",
      })
      .toJSON();
    delete noId.id;
    const answer = await structured(noId);
    expect(answer.status).toBe(400);
    expect(s.paths(answer)).toEqual(
      expect.arrayContaining(["id", "data.tenant", "data.admins.0.name", "data"]),
    );
  });

  test("binary: missing ce- headers are named by header", async () => {
    const answer = await s.call(`${url}/events`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "ce-specversion": "1.0",
        "ce-type": "org.akraino.icn.tenant.requested",
        ...s.bearer(s.PORTAL_TOKEN),
      },
      body: JSON.stringify(aTenantRequested()),
    });
    expect(answer.status).toBe(400);
    expect(s.paths(answer).sort()).toEqual(["ce-id", "ce-source"]);
  });

  test("batch: one bad event rejects the batch, and the good one is not published", async () => {
    const good = s.tenantRequest();
    const bad = s.tenantRequest(undefined, {
      tenant: "Not A Label",
      admins: [{ kind: "User", name: "alice" }],
    });
    const answer = await s.call(`${url}/events`, {
      method: "POST",
      headers: { "content-type": "application/cloudevents-batch+json", ...s.bearer(s.PORTAL_TOKEN) },
      body: JSON.stringify([good, bad]),
    });
    expect(answer.status).toBe(400);
    expect(s.paths(answer)).toEqual(["[1].data.tenant"]);
    expect(await s.onBus(nc, config, good.id)).toHaveLength(0);
  });

  test("an unknown type, and a body that is not JSON", async () => {
    expect(s.paths(await structured({ ...s.tenantRequest().toJSON(), type: "com.example.unknown" }))).toEqual(
      ["type"],
    );
    const notJson = await s.call(`${url}/events`, {
      method: "POST",
      headers: { "content-type": "application/cloudevents+json", ...s.bearer(s.PORTAL_TOKEN) },
      body: "{",
    });
    expect(notJson).toMatchObject({ status: 400, json: { error: "invalid_event" } });
  });
});

describe("401 and 403: a token publishes only its own types and sources", () => {
  test("no token, a wrong token, or another scheme is 401", async () => {
    const event = JSON.stringify(s.tenantRequest());
    const post = (headers: Record<string, string>): Promise<s.Answer> =>
      s.call(`${url}/events`, {
        method: "POST",
        headers: { "content-type": "application/cloudevents+json", ...headers },
        body: event,
      });
    const answers = await Promise.all([
      post({}),
      post(s.bearer("not-a-token-of-anyone")),
      post({ authorization: `Basic ${btoa("a:b")}` }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401]);
    expect(answers[1]?.headers.get("www-authenticate")).toMatch(/invalid_token/);
  });

  test("the portal may not publish the detector's type or use its source, nor anyone a result event", async () => {
    const detectorType = await structured(s.podUnsafe(`${s.PORTAL_SOURCE}/x`));
    const detectorSource = await structured(s.tenantRequest(`${s.DETECTOR_SOURCE}:pods`));
    const lookalike = await structured(s.tenantRequest(`${s.PORTAL_SOURCE}.evil.org/x`));
    const result = await structured(
      newEvent({ name: "tenant.provisioned", source: s.PORTAL_SOURCE, data: aTenantProvisioned() }),
    );
    const portalType = await structured(s.tenantRequest(`${s.DETECTOR_SOURCE}:x`), s.DETECTOR_TOKEN);
    for (const answer of [detectorType, detectorSource, lookalike, result, portalType])
      expect(answer.status).toBe(403);
    expect(s.paths(detectorType)).toEqual(["type"]);
    expect(s.paths(detectorSource)).toEqual(["source"]);
    expect(s.paths(portalType)).toEqual(["type"]);
  });
});

describe("413, 415, 405, 404", () => {
  const big = JSON.stringify(
    s.tenantRequest(undefined, { ...aTenantRequested(), padding: "x".repeat(MAX_BYTES) }),
  );

  test("a declared length over the limit, and a chunked body that grows past it, are 413", async () => {
    const headers = { "content-type": "application/cloudevents+json", ...s.bearer(s.PORTAL_TOKEN) };
    expect((await s.call(`${url}/events`, { method: "POST", headers, body: big })).status).toBe(413);
    const chunks = [big.slice(0, 1000), big.slice(1000, 3000), big.slice(3000)];
    expect((await s.postChunked(`${url}/events`, headers, chunks)).status).toBe(413);
  });

  test("content types outside the binding are 415", async () => {
    const post = (type: string): Promise<s.Answer> =>
      s.call(`${url}/events`, {
        method: "POST",
        headers: { "content-type": type, ...s.bearer(s.PORTAL_TOKEN) },
        body: "<event/>",
      });
    expect((await post("text/plain")).status).toBe(415);
    expect((await post("application/cloudevents+xml")).status).toBe(415);
  });

  test("wrong methods are 405 with Allow; other paths 404", async () => {
    const getEvents = await s.call(`${url}/events`, { headers: s.bearer(s.PORTAL_TOKEN) });
    expect([getEvents.status, getEvents.headers.get("allow")]).toEqual([405, "POST"]);
    expect((await s.call(`${url}/events/x`, { method: "DELETE" })).status).toBe(405);
    expect((await s.call(`${url}/tickets`)).status).toBe(404);
  });
});
