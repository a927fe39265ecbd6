// Generators of hostile input: names that look reserved, oversized and nested payloads, wrong types, broken bytes, header injection.
import fc from "fast-check";
import { EVENT_NAMES, EVENTS, type EventName } from "../../schemas/events.ts";
import { FIXTURES } from "../../schemas/fixtures.ts";
import type { NatsMessage } from "../../shared/cloudevents/nats-binding.ts";

/** Tenant and namespace names that are reserved, too long, or only look like a safe name. */
export const TRICKY_NAMES = [
  "kube-system",
  "kube-public",
  "kube",
  "default",
  "openshift-infra",
  "icn-system",
  "a".repeat(64),
  "a".repeat(63),
  "\u0430cme", // Cyrillic а
  "acme\u200b", // zero-width space
  "\uff41\uff43\uff4d\uff45", // fullwidth ａｃｍｅ
  "kube\u2010system", // Unicode hyphen
  "kube\u2013system", // en dash
  "defaul\u0442", // Cyrillic т
  "\u0131cn-system", // dotless ı
  "ACME",
  "-acme",
  "acme-",
  "acme.",
  "a_b",
  " acme",
  "acme\u0000",
  "acme\r\nce-type: evil",
  "",
] as const;

const injected = fc.constantFrom(
  "a\r\nce-type: org.evil",
  "x\nNats-Msg-Id: dup",
  "%0D%0Ace-type:%20evil",
  "\r\n\r\n{}",
);
const percentGarbage = fc.constantFrom("%", "%G1", "%zz", "%C3%28", "%ED%A0%80", "%FF", "%00", "100%");

/** Strings a careless decoder would choke on, plus arbitrary ones. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...TRICKY_NAMES),
  injected,
  percentGarbage,
  fc.string({ unit: "binary", maxLength: 80 }),
  fc.string({ maxLength: 80 }),
  fc.stringMatching(/^[a-z0-9-]{60,70}$/),
  fc.integer({ min: 1_000, max: 70_000 }).map((n) => "x".repeat(n)),
);

/** JSON text nested far deeper than any real event, as arrays or objects. */
export const deeplyNestedJson: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 500, max: 20_000 }), fc.boolean())
  .map(([depth, arrays]) =>
    arrays ? "[".repeat(depth) + "]".repeat(depth) : '{"a":'.repeat(depth) + "1" + "}".repeat(depth),
  );

/** Any JSON value: wrong types for every field the schemas expect. */
export const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.constantFrom(null, true, 0, -1, 1e308, [], {}, [""], { __proto__: { polluted: true } }),
  hostileString,
);

/** A valid fixture with one field replaced, removed, or an extra field added. */
function mutated(name: EventName): fc.Arbitrary<unknown> {
  const base = FIXTURES[name]() as Record<string, unknown>;
  const keys = Object.keys(base);
  return fc.oneof(
    fc
      .tuple(fc.constantFrom(...keys), fc.oneof(hostileString, wrongType))
      .map(([k, v]) => ({ ...base, [k]: v })),
    fc
      .constantFrom(...keys)
      .map((k) => Object.fromEntries(Object.entries(base).filter(([key]) => key !== k))),
    fc.tuple(hostileString, wrongType).map(([k, v]) => ({ ...base, [k]: v })),
    fc
      .constantFrom("__proto__", "constructor", "prototype")
      .map((k) => JSON.parse(`{${JSON.stringify(k)}: {"x": 1}}`) as unknown),
  );
}

/** tenant.requested whose names are tricky: the schema must refuse every reserved or look-alike name. */
const trickyTenant: fc.Arbitrary<unknown> = fc
  .record({
    tenant: fc.oneof(fc.constantFrom(...TRICKY_NAMES), hostileString),
    namespaces: fc.array(fc.oneof(fc.constantFrom(...TRICKY_NAMES), hostileString), { maxLength: 3 }),
    admin: fc.oneof(fc.constantFrom("system:authenticated", "system:masters", "alice"), hostileString),
  })
  .map(({ tenant, namespaces, admin }) => ({ tenant, namespaces, admins: [{ kind: "User", name: admin }] }));

export const hostileData = (name: EventName): fc.Arbitrary<unknown> =>
  name === "tenant.requested"
    ? fc.oneof(mutated(name), trickyTenant, wrongType)
    : fc.oneof(mutated(name), wrongType);

export const anyEventName: fc.Arbitrary<EventName> = fc.constantFrom(...EVENT_NAMES);

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Payload bytes: JSON of hostile data, broken UTF-8, deep nesting, random bytes, or over the size limit. */
export const hostilePayload: fc.Arbitrary<Uint8Array> = fc.oneof(
  { arbitrary: anyEventName.chain(hostileData).map((d) => utf8(JSON.stringify(d) ?? "null")), weight: 4 },
  fc
    .constantFrom([0xc3, 0x28], [0xff, 0xfe], [0xed, 0xa0, 0x80], [0x7b, 0x22, 0xc0, 0xaf, 0x22, 0x7d])
    .map((b) => Uint8Array.from(b)),
  deeplyNestedJson.map(utf8),
  fc.uint8Array({ maxLength: 512 }),
  fc.constantFrom(300 * 1024, 1024 * 1024 - 4096).map((n) => new Uint8Array(n).fill(0x20)),
);

const headerName = fc.oneof(
  fc.constantFrom(
    "ce-specversion",
    "ce-id",
    "ce-source",
    "ce-type",
    "ce-time",
    "ce-datacontenttype",
    "ce-subject",
    "ce-dataschema",
  ),
  fc.constantFrom(
    "CE-ID",
    "Ce-Type",
    "content-type",
    "Content-Type",
    "ce-",
    "ce-data",
    "ce-\u00fc",
    "ce-causeid",
    "ce-ticket",
  ),
  fc.stringMatching(/^[a-zA-Z0-9-]{1,20}$/),
);
const headerValue = fc.oneof(
  fc.constantFrom(
    "1.0",
    "0.3",
    "application/json",
    "application/cloudevents+json",
    "application/cloudevents+avro",
    "text/plain",
  ),
  fc.constantFrom(...EVENT_NAMES.map((n) => EVENTS[n].type)),
  hostileString,
);

const validBinaryHeaders = (type: string): Record<string, string> => ({
  "ce-specversion": "1.0",
  "ce-id": "4f6c7a0e-1111-4222-8333-944455556666",
  "ce-source": "urn:icn:hostile",
  "ce-type": type,
  "ce-datacontenttype": "application/json",
});

/** NATS messages: valid headers with hostile overrides, structured mode with hostile payloads, or junk. */
export const hostileMessage: fc.Arbitrary<NatsMessage> = fc.oneof(
  fc
    .tuple(anyEventName, fc.dictionary(headerName, headerValue, { maxKeys: 4 }), hostilePayload)
    .map(([name, extra, payload]) => ({
      headers: { ...validBinaryHeaders(EVENTS[name].type), ...extra },
      payload,
    })),
  fc
    .tuple(anyEventName, hostileString, hostileString, fc.oneof(hostileData("tenant.requested"), wrongType))
    .map(([name, id, source, data]) => ({
      headers: { "Content-Type": "application/cloudevents+json" },
      payload: utf8(
        JSON.stringify({
          specversion: "1.0",
          id,
          source,
          type: EVENTS[name].type,
          datacontenttype: "application/json",
          data,
        }),
      ),
    })),
  fc
    .tuple(fc.dictionary(headerName, headerValue, { maxKeys: 6 }), hostilePayload)
    .map(([headers, payload]) => ({ headers, payload })),
);

/** A structured CloudEvent (JSON) with a plausible or spoofed source, any input type, and hostile data. */
export function structuredEvent(sources: readonly string[]): fc.Arbitrary<Uint8Array> {
  return fc
    .record({
      id: fc.oneof(fc.uuid(), hostileString),
      source: fc.oneof(fc.constantFrom(...sources), hostileString),
      name: anyEventName,
      time: fc.oneof(fc.constant(new Date().toISOString()), hostileString),
    })
    .chain(({ name, ...attrs }) =>
      hostileData(name).map((data) => ({
        specversion: "1.0",
        type: EVENTS[name].type,
        datacontenttype: "application/json",
        ...attrs,
        data,
      })),
    )
    .map((event) => utf8(JSON.stringify(event)));
}
