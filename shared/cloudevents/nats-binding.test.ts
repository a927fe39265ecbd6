// The NATS binding end to end: both modes round-trip, and they interoperate with the CloudEvents SDK.
import { CloudEvent, HTTP } from "cloudevents";
import {
  aBinaryMessage,
  aBinaryMessageWithout,
  aStructuredMessage,
  aTenantRequested,
  bytes,
  text,
} from "./fixtures.ts";
import { NatsBinding, natsMsgId } from "./nats-binding.ts";

const modes = ["binary", "structured"] as const;

function viaNats(mode: (typeof modes)[number], event: CloudEvent<unknown>): CloudEvent<unknown> {
  return NatsBinding.toEvent(NatsBinding[mode](event));
}

describe.each(modes)("%s mode round trip", (mode) => {
  it("returns an SDK-built event unchanged, extensions included", () => {
    const event = aTenantRequested({ causeid: "evt-0000", ticket: "JIRA-7" });
    const received = viaNats(mode, event);
    expect(received).toBeInstanceOf(CloudEvent);
    expect(received).toEqual(event);
  });

  it("keeps non-ASCII attribute values and the producer's time precision", () => {
    const event = aTenantRequested({
      subject: 'Caf\u00E9 "100%" \u{1F600}',
      time: "2024-05-01T14:00:00.123456789+02:00",
    });
    expect(viaNats(mode, event)).toEqual(event);
  });

  it.each([
    [
      "binary data with a content type",
      { datacontenttype: "application/octet-stream", data: new Uint8Array([0, 255, 7]) },
    ],
    ["binary data without a content type", { datacontenttype: undefined, data: new Uint8Array([1, 2, 3]) }],
    ["text data", { datacontenttype: "text/plain; charset=utf-8", data: "h\u00E9llo\nworld" }],
    ["a JSON string value", { datacontenttype: "application/json", data: "just a string" }],
    ["a +json type", { datacontenttype: "application/vnd.icn+json", data: [1, true, null] }],
    ["no data", { data: undefined }],
  ])("carries %s", (_, overrides) => {
    const event = aTenantRequested(overrides);
    expect(viaNats(mode, event)).toEqual(event);
  });
});

describe("binary mode", () => {
  it("writes every attribute as a ce- header, percent-encoded, and the data as the payload", () => {
    const message = NatsBinding.binary(
      aTenantRequested({ subject: "Caf\u00E9 au lait", causeid: "evt-0000" }),
    );
    expect(message.headers).toEqual({
      "ce-id": "evt-0001",
      "ce-time": "2024-05-01T12:00:00.000Z",
      "ce-type": "org.akraino.icn.tenant.requested",
      "ce-source": "/portal",
      "ce-specversion": "1.0",
      "ce-datacontenttype": "application/json",
      "ce-subject": "Caf%C3%A9%20au%20lait",
      "ce-causeid": "evt-0000",
    });
    expect(JSON.parse(text(message.payload))).toEqual({
      tenant: "acme",
      admins: [{ kind: "User", name: "alice" }],
    });
  });

  it("declares application/json for non-binary data without a content type, and nothing for bytes", () => {
    expect(NatsBinding.binary(aTenantRequested({ datacontenttype: undefined })).headers).toMatchObject({
      "ce-datacontenttype": "application/json",
    });
    const raw = NatsBinding.binary(
      aTenantRequested({ datacontenttype: undefined, data: new Uint8Array([1]) }),
    );
    expect(raw.headers).not.toHaveProperty("ce-datacontenttype");
  });

  it("sends integer and boolean extensions as their canonical strings", () => {
    const message = NatsBinding.binary(aTenantRequested({ attempt: 3, replay: true }));
    expect(message.headers).toMatchObject({ "ce-attempt": "3", "ce-replay": "true" });
  });

  it("reads header names case-insensitively and ignores headers that are not ce-", () => {
    const message = aBinaryMessage();
    const shouted = Object.fromEntries(Object.entries(message.headers).map(([k, v]) => [k.toUpperCase(), v]));
    const event = NatsBinding.toEvent({ ...message, headers: { ...shouted, "Nats-Msg-Id": "abc" } });
    expect(event).toMatchObject({ id: "evt-0002", source: "/node-watcher", data: { node: "n1" } });
    expect(event).not.toHaveProperty("nats-msg-id");
  });

  it("reads what the Go SDK writes: raw values, nanosecond times, Content-Type for datacontenttype", () => {
    const message = aBinaryMessageWithout("ce-datacontenttype", {
      "ce-subject": "caf\u00E9 au lait",
      "ce-time": "2024-05-01T12:00:00.123456789Z",
      "Content-Type": "application/json",
    });
    const event = NatsBinding.toEvent(message);
    expect(event).toMatchObject({ subject: "caf\u00E9 au lait", time: "2024-05-01T12:00:00.123456789Z" });
    expect(event).toMatchObject({ datacontenttype: "application/json", data: { node: "n1" } });
  });

  it("unquotes quoted-string values from older senders", () => {
    expect(NatsBinding.toEvent(aBinaryMessage({ "ce-subject": '"two words"' })).subject).toBe("two words");
  });
});

describe("structured mode", () => {
  it("writes the JSON event format with an exact Content-Type header", () => {
    const message = NatsBinding.structured(aTenantRequested({ attempt: 3 }));
    expect(message.headers).toEqual({ "Content-Type": "application/cloudevents+json" });
    expect(JSON.parse(text(message.payload))).toEqual({
      specversion: "1.0",
      id: "evt-0001",
      source: "/portal",
      type: "org.akraino.icn.tenant.requested",
      time: "2024-05-01T12:00:00.000Z",
      subject: "acme",
      datacontenttype: "application/json",
      attempt: 3,
      data: { tenant: "acme", admins: [{ kind: "User", name: "alice" }] },
    });
  });

  it("puts binary data in data_base64", () => {
    const message = NatsBinding.structured(
      aTenantRequested({ datacontenttype: "image/png", data: bytes("png") }),
    );
    expect(JSON.parse(text(message.payload))).toMatchObject({ data_base64: "cG5n" });
    expect(JSON.parse(text(message.payload))).not.toHaveProperty("data");
  });

  it("matches the Content-Type case-insensitively, with parameters, even alongside ce- headers", () => {
    const message = aStructuredMessage();
    const headers = { "content-TYPE": "Application/CloudEvents+JSON; charset=utf-8", "ce-id": "ignored" };
    expect(NatsBinding.toEvent({ ...message, headers })).toMatchObject({ id: "evt-0003" });
  });

  it("treats null attributes as absent", () => {
    expect(NatsBinding.toEvent(aStructuredMessage({ subject: null }))).not.toHaveProperty("subject", null);
  });
});

describe("interoperability with the CloudEvents SDK's JSON event format", () => {
  it("our structured payload parses with the SDK's HTTP.toEvent", () => {
    const event = aTenantRequested({ causeid: "evt-0000" });
    const body = text(NatsBinding.structured(event).payload);
    const parsed = HTTP.toEvent({ headers: { "content-type": "application/cloudevents+json" }, body });
    expect(parsed).toEqual(event);
  });

  it("the SDK reads our data_base64 as the same bytes", () => {
    const event = aTenantRequested({
      datacontenttype: "application/octet-stream",
      data: new Uint8Array([0, 1, 254]),
    });
    const body = text(NatsBinding.structured(event).payload);
    const parsed = HTTP.toEvent({ headers: { "content-type": "application/cloudevents+json" }, body });
    expect(parsed).toHaveProperty("data_base64", "AAH+");
  });

  it("we read the SDK's own structured serialisation", () => {
    const event = aTenantRequested({ causeid: "evt-0000" });
    const { body } = HTTP.structured(event);
    const received = NatsBinding.toEvent({
      headers: { "Content-Type": "application/cloudevents+json; charset=utf-8" },
      payload: bytes(String(body)),
    });
    expect(received).toEqual(event);
  });
});

describe("isEvent", () => {
  it("recognises both modes and nothing else", () => {
    expect(NatsBinding.isEvent(aBinaryMessage())).toBe(true);
    expect(NatsBinding.isEvent(aStructuredMessage())).toBe(true);
    expect(NatsBinding.isEvent({ headers: {}, payload: bytes("plain text") })).toBe(false);
    expect(NatsBinding.isEvent({ headers: { "ce-id": "1" }, payload: bytes("{}") })).toBe(false);
    expect(
      NatsBinding.isEvent({ headers: { "Content-Type": "application/cloudevents+xml" }, payload: bytes("") }),
    ).toBe(false);
  });
});

describe("structured mode without headers (binding v1.0.2, and the Go SDK today)", () => {
  it("reads a bare JSON event", () => {
    const { payload } = NatsBinding.structured(aTenantRequested());
    const event = NatsBinding.toEvent({ headers: {}, payload });
    expect(event).toMatchObject({
      id: aTenantRequested().id,
      source: aTenantRequested().source,
      type: aTenantRequested().type,
    });
  });
});

describe("natsMsgId", () => {
  it("is a stable 32-hex-digit value of source and id only", () => {
    const id = natsMsgId(aTenantRequested());
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(natsMsgId(aTenantRequested({ time: "2030-01-01T00:00:00Z", data: { other: true } }))).toBe(id);
    expect(natsMsgId({ source: "/portal", id: "evt-0001" })).toBe(id);
  });

  it("differs when the source or the id differs, however the two split", () => {
    const ids = [
      natsMsgId({ source: "/portal", id: "evt-0001" }),
      natsMsgId({ source: "/portal", id: "evt-0002" }),
      natsMsgId({ source: "/portal2", id: "evt-0001" }),
      natsMsgId({ source: "/a", id: "b/c" }),
      natsMsgId({ source: "/a/b", id: "c" }),
    ];
    expect(new Set(ids).size).toBe(ids.length);
  });
});
