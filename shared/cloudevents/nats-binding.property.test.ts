// Properties of the NATS binding: arbitrary attributes round-trip, and no input escapes as anything but a BindingError.
import { CloudEvent } from "cloudevents";
import fc from "fast-check";
import { BindingError } from "./binding-error.ts";
import { CONTEXT_ATTRIBUTES } from "./event-attributes.ts";
import { binaryHeaders, bytes } from "./fixtures.ts";
import { NatsBinding } from "./nats-binding.ts";

const modes = ["binary", "structured"] as const;

// CloudEvents strings may not hold these; the binding refuses them, so they are not round-trip material.
const DISALLOWED = /[\p{Cc}\p{Noncharacter_Code_Point}\p{Cs}]/gu;
const anyText = fc
  .oneof(fc.string({ unit: "grapheme" }), fc.string({ unit: "binary" }), fc.string())
  .map((value) => value.replace(DISALLOWED, ""));
const nonEmptyText = anyText.filter((value) => value.length > 0);
// Names the spec or the SDK's CloudEvent class keep for themselves; the binding refuses them.
const RESERVED_NAMES = new Set([...CONTEXT_ATTRIBUTES, "data", "schemaurl", "datacontentencoding"]);
const SDK_MEMBERS = new Set(["constructor", "emit", "validate"]);
const extensionName = fc
  .stringMatching(/^[a-z0-9]{1,20}$/)
  .filter((name) => !RESERVED_NAMES.has(name) && !SDK_MEMBERS.has(name));
const source = fc.oneof(
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.constantFrom("/portal", "urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66", "1-555-123-4567"),
);
const time = fc
  .date({ min: new Date("0001-01-01T00:00:00Z"), max: new Date("9999-12-31T23:59:59Z"), noInvalidDate: true })
  .map((date) => date.toISOString());
const jsonData = fc.json().map((text) => JSON.parse(text) as unknown);
const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });

function anEvent(extensionValue: fc.Arbitrary<unknown>): fc.Arbitrary<CloudEvent<unknown>> {
  return fc
    .record({
      id: nonEmptyText,
      source,
      type: nonEmptyText,
      subject: fc.option(nonEmptyText, { nil: undefined }),
      time,
      extensions: fc.dictionary(extensionName, extensionValue, { maxKeys: 4 }),
      data: jsonData,
    })
    .map(({ extensions, ...attributes }) => {
      return new CloudEvent<unknown>({
        specversion: "1.0",
        datacontenttype: "application/json",
        ...attributes,
        ...extensions,
      });
    });
}

describe.each(modes)("%s mode", (mode) => {
  it("round-trips arbitrary attribute and extension strings, and JSON data", () => {
    fc.assert(
      fc.property(anEvent(anyText), (event) => {
        expect(NatsBinding.toEvent(NatsBinding[mode](event))).toEqual(event);
      }),
      { numRuns: 300 },
    );
  });
});

it("structured mode keeps integer and boolean extensions typed; binary mode gives their canonical strings", () => {
  fc.assert(
    fc.property(anEvent(fc.oneof(int32, fc.boolean())), (event) => {
      expect(NatsBinding.toEvent(NatsBinding.structured(event))).toEqual(event);
      const viaBinary = NatsBinding.toEvent(NatsBinding.binary(event));
      const { data, ...attributes } = event;
      expect(viaBinary.data).toEqual(data);
      for (const [name, value] of Object.entries(attributes)) {
        const expected = typeof value === "number" || typeof value === "boolean" ? String(value) : value;
        expect(viaBinary[name]).toEqual(expected);
      }
    }),
    { numRuns: 200 },
  );
});

const headerName = fc.oneof(
  fc.constantFrom("ce-specversion", "ce-id", "ce-source", "ce-type", "ce-time", "ce-subject", "CE-ID"),
  fc.constantFrom("ce-datacontenttype", "ce-dataschema", "ce-data", "ce-schemaurl", "ce-x", "Content-Type"),
  fc.string(),
);
const headerValue = fc.oneof(
  fc.constantFrom("1.0", "0.3", "", "/s", "2024-01-01T00:00:00Z", "%zz", "%C0%A0", '"q', '"q"', "a%20b"),
  fc.constantFrom(
    "application/cloudevents+json",
    "application/cloudevents+xml",
    "application/json",
    "text/plain",
  ),
  fc.string({ unit: "binary" }),
);
const someHeaders = fc.dictionary(headerName, headerValue, { maxKeys: 8 });
const memberName = fc.oneof(
  fc.constantFrom("specversion", "id", "source", "type", "time", "subject", "datacontenttype", "dataschema"),
  fc.constantFrom("data", "data_base64", "ext", "schemaurl", "Bad"),
  fc.string(),
);
const memberValue = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom("1.0", "/s", "2024-01-01T00:00:00Z", "AAE=", "text/plain"),
);
const structuredPayload = fc
  .dictionary(memberName, memberValue, { maxKeys: 6 })
  .map((members) =>
    bytes(JSON.stringify({ specversion: "1.0", id: "x", source: "/s", type: "t", ...members })),
  );
const anyMessage = fc.record({
  headers: fc.oneof(
    someHeaders,
    someHeaders.map((headers) => ({ ...binaryHeaders(), ...headers })),
    someHeaders.map((headers) => ({ ...headers, "Content-Type": "application/cloudevents+json" })),
  ),
  payload: fc.oneof(
    fc.uint8Array({ maxLength: 64 }),
    fc.jsonValue().map((v) => bytes(JSON.stringify(v))),
    structuredPayload,
  ),
});

it("toEvent returns a CloudEvent or throws a BindingError for any input, and what it accepts can be sent on", () => {
  fc.assert(
    fc.property(anyMessage, fc.option(fc.nat({ max: 300 }), { nil: undefined }), (message, maxBytes) => {
      let event: CloudEvent<unknown>;
      try {
        event = NatsBinding.toEvent(message, { maxBytes });
      } catch (err) {
        expect(err).toBeInstanceOf(BindingError);
        return;
      }
      expect(event).toBeInstanceOf(CloudEvent);
      for (const mode of modes)
        expect(NatsBinding.toEvent(NatsBinding[mode](event))).toBeInstanceOf(CloudEvent);
    }),
    { numRuns: 1000 },
  );
});
