// How the binding refuses attributes and data the CloudEvents spec forbids, on the way in and on the way out.
import {
  aBinaryMessage,
  aStructuredMessage,
  aStructuredPayload,
  aTenantRequested,
  bindingErrorFrom,
  bytes,
  expectRejected,
} from "./fixtures.ts";
import { asyncApiDocument } from "../../schemas/asyncapi.ts";
import { ATTRIBUTE_LENGTH_LIMITS, MAX_ATTRIBUTE_LENGTH, maxLengthOf } from "./event-attributes.ts";
import { NatsBinding } from "./nats-binding.ts";

describe("toEvent: ATTRIBUTE_TOO_LONG", () => {
  const tooLong = (name: string, length: number): RegExp =>
    new RegExp(`"${name}" is ${length} characters long; the limit is ${length - 1}`);

  it.each([
    ["id", ATTRIBUTE_LENGTH_LIMITS.get("id") ?? 0, "x"],
    ["source", ATTRIBUTE_LENGTH_LIMITS.get("source") ?? 0, "/"],
    ["subject", MAX_ATTRIBUTE_LENGTH, "s"],
  ])("for %s past %i characters, in either mode, and when sending", (name, limit, first) => {
    const atLimit = first + "x".repeat(limit - 1);
    const long = atLimit + "x";
    expectRejected(aBinaryMessage({ [`ce-${name}`]: long }), "ATTRIBUTE_TOO_LONG", tooLong(name, limit + 1));
    expectRejected(aStructuredMessage({ [name]: long }), "ATTRIBUTE_TOO_LONG", tooLong(name, limit + 1));
    const sending = aTenantRequested().cloneWith({ [name]: long });
    expect(() => NatsBinding.binary(sending)).toThrow(tooLong(name, limit + 1));
    expect(() => NatsBinding.structured(sending)).toThrow(tooLong(name, limit + 1));
    const event = NatsBinding.toEvent(aBinaryMessage({ [`ce-${name}`]: atLimit }));
    expect(event[name as "id"]).toBe(atLimit);
  });

  it("bounds id and source tighter than any other attribute", () => {
    expect(ATTRIBUTE_LENGTH_LIMITS).toEqual(
      new Map([
        ["id", 256],
        ["source", 1024],
      ]),
    );
    expect(MAX_ATTRIBUTE_LENGTH).toBe(4096);
  });
});

describe("toEvent: INVALID_ATTRIBUTE", () => {
  it("for an empty or non-string required attribute the SDK would quietly replace", () => {
    expectRejected(aBinaryMessage({ "ce-id": "" }), "INVALID_ATTRIBUTE", /"id" must be a non-empty string/);
    expectRejected(aBinaryMessage({ "ce-specversion": "" }), "INVALID_ATTRIBUTE", /"specversion" must be/);
    expectRejected(aStructuredMessage({ id: 42 }), "INVALID_ATTRIBUTE", /"id" must be a non-empty string/);
  });

  it("with the SDK's own reasons for values its schema refuses", () => {
    const source = aBinaryMessage({ "ce-source": "not%20a%20uri" });
    expectRejected(
      source,
      "INVALID_ATTRIBUTE",
      /SDK rejected the event: source must match format "uri-reference"/,
    );
    const dataschema = aStructuredMessage({ dataschema: "relative/path" });
    expectRejected(dataschema, "INVALID_ATTRIBUTE", /dataschema must match format "uri"/);
    const rfc2822 = aBinaryMessage({ "ce-time": "Wed, 01 May 2024 12:00:00 GMT" });
    expectRejected(rfc2822, "INVALID_ATTRIBUTE", /time must match format "date-time"/);
  });

  it("for a time that is empty, unparseable, or a leap second Date cannot hold", () => {
    expectRejected(aStructuredMessage({ time: "" }), "INVALID_ATTRIBUTE", /"time" is "", not a timestamp/);
    expectRejected(aBinaryMessage({ "ce-time": "yesterday" }), "INVALID_ATTRIBUTE", /"time" is "yesterday"/);
    expectRejected(
      aStructuredMessage({ time: "2016-12-31T23:59:60Z" }),
      "INVALID_ATTRIBUTE",
      /not a timestamp/,
    );
  });

  it("for names that are not lower-case letters and digits, or are data", () => {
    expectRejected(
      aStructuredMessage({ causeId: "x" }),
      "INVALID_ATTRIBUTE",
      /"causeId" is not a valid attribute/,
    );
    expectRejected(aBinaryMessage({ "ce-cause_id": "x" }), "INVALID_ATTRIBUTE", /"cause_id" is not a valid/);
    expectRejected(
      aBinaryMessage({ "ce-data": "x" }),
      "INVALID_ATTRIBUTE",
      /"data" is not a valid attribute/,
    );
  });

  it("for names the SDK's CloudEvent class keeps for itself", () => {
    expectRejected(
      aStructuredMessage({ schemaurl: false }),
      "INVALID_ATTRIBUTE",
      /"schemaurl" cannot be carried/,
    );
    expectRejected(
      aBinaryMessage({ "ce-validate": "x" }),
      "INVALID_ATTRIBUTE",
      /"validate" cannot be carried/,
    );
  });

  it("for extension values outside the type system, which the SDK would accept", () => {
    expectRejected(aStructuredMessage({ ticket: { id: 1 } }), "INVALID_ATTRIBUTE", /"ticket" is an object/);
    expectRejected(aStructuredMessage({ tags: ["a"] }), "INVALID_ATTRIBUTE", /"tags" is an array/);
    expectRejected(aStructuredMessage({ weight: 1.5 }), "INVALID_ATTRIBUTE", /the number 1.5/);
    expectRejected(aStructuredMessage({ big: 2 ** 31 }), "INVALID_ATTRIBUTE", /the number 2147483648/);
  });

  it("for strings holding controls, noncharacters or unpaired surrogates", () => {
    expectRejected(
      aBinaryMessage({ "ce-subject": "a%0Ab" }),
      "INVALID_ATTRIBUTE",
      /"subject" contains U\+000A/,
    );
    expectRejected(aStructuredMessage({ subject: "\uFFFE" }), "INVALID_ATTRIBUTE", /contains U\+FFFE/);
    const lone = aStructuredPayload('{"specversion":"1.0","id":"\\ud800","source":"/s","type":"t"}');
    expectRejected(lone, "INVALID_ATTRIBUTE", /"id" contains U\+D800/);
  });

  it("for two spellings of one header that disagree", () => {
    const message = aBinaryMessage({ "CE-ID": "other" });
    expectRejected(message, "INVALID_ATTRIBUTE", /header "ce-id" appears twice with different values/);
  });
});

describe("toEvent: INVALID_DATA", () => {
  it("for data_base64 that is not padded RFC 4648 base64", () => {
    expectRejected(
      aStructuredMessage({ data: undefined, data_base64: "not base64!" }),
      "INVALID_DATA",
      /RFC 4648/,
    );
    expectRejected(aStructuredMessage({ data: undefined, data_base64: "AAE" }), "INVALID_DATA", /RFC 4648/);
  });

  it("for both data and data_base64", () => {
    expectRejected(aStructuredMessage({ data_base64: "AAE=" }), "INVALID_DATA", /both data and data_base64/);
  });

  it("for structured non-string data under a non-JSON content type", () => {
    expectRejected(aStructuredMessage({ datacontenttype: "text/plain" }), "INVALID_DATA", /must be a string/);
  });

  it("for binary text data that is not UTF-8", () => {
    const message = {
      ...aBinaryMessage({ "ce-datacontenttype": "text/plain" }),
      payload: bytes("\u00E9").slice(0, 1),
    };
    expectRejected(message, "INVALID_DATA", /"text\/plain" is not valid UTF-8/);
  });
});

describe.each(["binary", "structured"] as const)("%s refuses to send", (mode) => {
  function refusal(overrides: Record<string, unknown>): string {
    const event = aTenantRequested(overrides);
    const err = bindingErrorFrom(() => NatsBinding[mode](event));
    return `${err.code}: ${err.message}`;
  }

  it("an object under a content type that is neither JSON nor text", () => {
    expect(refusal({ datacontenttype: "application/xml" })).toMatch(/^INVALID_DATA: data is object/);
  });

  it("an extension value the type system has no place for", () => {
    expect(refusal({ ticket: { system: "jira", id: "7" } })).toMatch(
      /^INVALID_ATTRIBUTE: .*"ticket" is an object/,
    );
  });

  it("an extension named like a CloudEvent member", () => {
    expect(refusal({ emit: "x" })).toMatch(/^INVALID_ATTRIBUTE: .*"emit" cannot be carried/);
  });

  it("a control character the receiver would refuse", () => {
    expect(refusal({ subject: "line\nbreak" })).toMatch(/^INVALID_ATTRIBUTE: .*"subject" contains U\+000A/);
  });
});

describe("the contract states the decoder's limits", () => {
  // Every header schema of the AsyncAPI document, wherever it sits.
  function headerSchemas(node: unknown): Record<string, { maxLength?: number }>[] {
    if (typeof node !== "object" || node === null) return [];
    const here = "ce-id" in node ? [node as Record<string, { maxLength?: number }>] : [];
    return [...here, ...Object.values(node).flatMap(headerSchemas)];
  }

  it("as maxLength of ce-id, ce-causeid and ce-source in the AsyncAPI document", () => {
    const schemas = headerSchemas(asyncApiDocument());
    expect(schemas.length).toBeGreaterThan(0);
    for (const schema of schemas) {
      expect(schema["ce-id"]?.maxLength).toBe(maxLengthOf("id"));
      expect(schema["ce-source"]?.maxLength).toBe(maxLengthOf("source"));
      if (schema["ce-causeid"]) expect(schema["ce-causeid"].maxLength).toBe(maxLengthOf("id"));
    }
  });
});
