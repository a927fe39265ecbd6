// How toEvent refuses messages that are not, or not readable as, CloudEvents: one stable code per cause.
import {
  aBinaryMessage,
  aBinaryMessageWithout,
  aStructuredMessage,
  aStructuredPayload,
  bindingErrorFrom,
  bytes,
  expectRejected,
} from "./fixtures.ts";
import { NatsBinding } from "./nats-binding.ts";

describe("NOT_A_CLOUDEVENT", () => {
  it("without headers, when the payload is not a JSON object", () => {
    expectRejected({ headers: {}, payload: bytes("hello") }, "NOT_A_CLOUDEVENT", /no ce-specversion header/);
  });

  it("without headers, a JSON object is read as a structured event and must be a complete one", () => {
    expectRejected({ headers: {}, payload: bytes('{"node":"n"}') }, "MISSING_ATTRIBUTE", /specversion/);
  });

  it("for plain JSON", () => {
    const message = { headers: { "Content-Type": "application/json" }, payload: bytes("{}") };
    expectRejected(message, "NOT_A_CLOUDEVENT", /Content-Type is not "application\/cloudevents\+json"/);
  });

  it("for ce- headers without ce-specversion", () => {
    expectRejected(aBinaryMessageWithout("ce-specversion"), "NOT_A_CLOUDEVENT", /no ce-specversion/);
  });
});

describe("UNSUPPORTED_FORMAT", () => {
  it.each(["application/cloudevents+xml", "application/cloudevents-batch+json"])("for %s", (type) => {
    const message = { ...aStructuredMessage(), headers: { "Content-Type": type } };
    expectRejected(
      message,
      "UNSUPPORTED_FORMAT",
      new RegExp(`"${type.replace(/\+/g, "\\+")}" is not supported`),
    );
  });
});

describe("INVALID_JSON", () => {
  it("for a structured body that is not JSON, or not UTF-8", () => {
    expectRejected(aStructuredPayload("not json"), "INVALID_JSON", /structured payload is not UTF-8 JSON/);
    expectRejected(aStructuredPayload(new Uint8Array([0x7b, 0xff, 0x7d])), "INVALID_JSON", /not UTF-8 JSON/);
  });

  it("for a structured body that is JSON but not an object", () => {
    expectRejected(aStructuredPayload("[]"), "INVALID_JSON", /must be a JSON object, not an array/);
    expectRejected(aStructuredPayload('"x"'), "INVALID_JSON", /must be a JSON object, not "x"/);
  });

  it("for binary data declared JSON that is not", () => {
    expectRejected(aBinaryMessage({}, "{oops"), "INVALID_JSON", /"application\/json" is not valid JSON/);
    const vendor = aBinaryMessage({ "ce-datacontenttype": "application/vnd.icn+json" }, "{");
    expectRejected(vendor, "INVALID_JSON", /"application\/vnd.icn\+json" is not valid JSON/);
  });
});

describe("INVALID_PERCENT_ENCODING, naming the header", () => {
  it("for an escape that is not two hex digits", () => {
    expectRejected(
      aBinaryMessage({ "ce-subject": "a%zz" }),
      "INVALID_PERCENT_ENCODING",
      /^ce-subject: "%zz"/,
    );
    expectRejected(
      aBinaryMessage({ "ce-id": "x%4" }),
      "INVALID_PERCENT_ENCODING",
      /^ce-id: "%4" at offset 1/,
    );
  });

  it("for escapes that decode to invalid UTF-8", () => {
    const overlong = aBinaryMessage({ "ce-type": "a%C0%A0b" });
    expectRejected(overlong, "INVALID_PERCENT_ENCODING", /^ce-type: "%C0%A0" .* not decode to valid UTF-8/);
  });

  it("for an unterminated quoted-string", () => {
    expectRejected(aBinaryMessage({ "ce-subject": '"open' }), "INVALID_PERCENT_ENCODING", /never closes/);
  });
});

describe("UNSUPPORTED_SPECVERSION", () => {
  it("for a 0.3 event in either mode, before looking at its data", () => {
    expectRejected(aBinaryMessage({ "ce-specversion": "0.3" }), "UNSUPPORTED_SPECVERSION", /"0.3" is not/);
    const withBadData = aStructuredMessage({ specversion: "0.3", data_base64: "!" });
    expectRejected(withBadData, "UNSUPPORTED_SPECVERSION", /"0.3" is not supported; only "1.0" is/);
  });

  it("for a later version", () => {
    expectRejected(aStructuredMessage({ specversion: "1.1" }), "UNSUPPORTED_SPECVERSION", /"1.1"/);
  });
});

describe("MISSING_ATTRIBUTE", () => {
  it.each(["id", "source", "type", "specversion"])("for a structured event without %s", (name) => {
    expectRejected(
      aStructuredMessage({ [name]: undefined }),
      "MISSING_ATTRIBUTE",
      new RegExp(`"${name}" is missing`),
    );
  });

  it.each(["id", "source", "type"])("for a binary event without ce-%s", (name) => {
    expectRejected(
      aBinaryMessageWithout(`ce-${name}`),
      "MISSING_ATTRIBUTE",
      new RegExp(`"${name}" is missing`),
    );
  });

  it("for a null attribute, which the JSON format treats as unset", () => {
    expectRejected(aStructuredMessage({ id: null }), "MISSING_ATTRIBUTE", /"id" is missing/);
  });
});

describe("PAYLOAD_TOO_LARGE", () => {
  it("for a payload over maxBytes, before parsing it, while one at the limit passes", () => {
    const message = aStructuredMessage();
    const size = message.payload.byteLength;
    const tooBig = { ...message, payload: new Uint8Array(size + 1) };
    const err = bindingErrorFrom(() => NatsBinding.toEvent(tooBig, { maxBytes: size }));
    expect(err.code).toBe("PAYLOAD_TOO_LARGE");
    expect(err.message).toBe(`payload is ${size + 1} bytes; the limit is ${size}`);
    expect(NatsBinding.toEvent(message, { maxBytes: size })).toHaveProperty("id", "evt-0003");
  });
});
