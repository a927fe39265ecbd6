// The adapter between the binding and nats.js (MsgHdrs out, CloudEvents in), and the header-block reader
// against nats.js's own decoder: the same bytes give the same map, or both refuse.
import { MsgHdrsImpl } from "@nats-io/transport-node";
import fc from "fast-check";
import { BindingError } from "./binding-error.ts";
import { aBinaryMessage, aTenantRequested, bindingErrorFrom } from "./fixtures.ts";
import { NatsBinding, natsMsgToEvent } from "./nats-binding.ts";
import { lowerCasedNatsHeaders, parseHeaderBlock, rawHeaderBlock, toNatsHeaders } from "./nats-headers.ts";

describe("nats-headers", () => {
  it("round-trips a binary event through MsgHdrs, percent-encoding included", () => {
    const event = aTenantRequested({ subject: "Caf\u00E9 au lait" });
    const message = NatsBinding.binary(event);
    const hdrs = toNatsHeaders(message.headers);
    expect(hdrs.get("ce-subject")).toBe("Caf%C3%A9%20au%20lait");
    expect(natsMsgToEvent({ headers: hdrs, data: message.payload })).toEqual(event);
    expect(natsMsgToEvent({ headers: hdrs, data: message.payload })).toEqual(NatsBinding.toEvent(message));
  });

  it("keeps the structured Content-Type header's exact name", () => {
    const hdrs = toNatsHeaders(NatsBinding.structured(aTenantRequested()).headers);
    expect(hdrs.keys()).toEqual(["Content-Type"]);
  });

  it("survives the NATS wire encoding, so the event decodes on the far side", () => {
    const event = aTenantRequested({ subject: ' leading and trailing spaces "quoted" ' });
    const message = NatsBinding.binary(event);
    // MsgHdrs is an interface; its one implementation also does the wire encoding, trimming values as it goes.
    const wire = (toNatsHeaders(message.headers) as MsgHdrsImpl).encode();
    const decoded = MsgHdrsImpl.decode(wire);
    expect(natsMsgToEvent({ headers: decoded, data: message.payload })).toEqual(event);
  });

  it("reads a message without headers as structured mode", () => {
    const message = NatsBinding.structured(aTenantRequested());
    expect(natsMsgToEvent({ data: message.payload })).toEqual(NatsBinding.toEvent(message));
  });

  it("keeps the first value of a repeated header, as MsgHdrs.get() does", () => {
    const hdrs = toNatsHeaders(aBinaryMessage().headers);
    hdrs.set("ce-subject", "first");
    hdrs.append("ce-subject", "second");
    expect(natsMsgToEvent({ headers: hdrs, data: aBinaryMessage().payload }).subject).toBe("first");
  });

  it("refuses one header spelt twice with different values", () => {
    const message = NatsBinding.binary(aTenantRequested());
    const hdrs = toNatsHeaders(message.headers);
    hdrs.set("CE-ID", "another");
    expect(() => natsMsgToEvent({ headers: hdrs, data: message.payload })).toThrow(
      /header "ce-id" appears twice/,
    );
  });

  it("refuses a payload over the limit before parsing it", () => {
    const message = aBinaryMessage();
    const limit = message.payload.byteLength - 1;
    const error = bindingErrorFrom(() =>
      natsMsgToEvent({ headers: toNatsHeaders(message.headers), data: message.payload }, { maxBytes: limit }),
    );
    expect(error.code).toBe("PAYLOAD_TOO_LARGE");
  });
});

const bytesOf = (text: string): Uint8Array => new TextEncoder().encode(text);
const block = (...lines: string[]): Uint8Array => bytesOf(`NATS/1.0\r\n${lines.join("\r\n")}\r\n\r\n`);

type Verdict = { map: [string, string][] } | { refused: true };

function verdict(read: () => Map<string, string>): Verdict {
  try {
    return { map: [...read()].sort(([a], [b]) => a.localeCompare(b)) };
  } catch {
    return { refused: true };
  }
}

const viaNatsJs = (bytes: Uint8Array): Verdict =>
  verdict(() => lowerCasedNatsHeaders(MsgHdrsImpl.decode(bytes)));

describe("parseHeaderBlock", () => {
  it("reads names lower-cased and values trimmed", () => {
    expect(parseHeaderBlock(block("Ce-Id: 42 ", "Nats-Msg-Id:abc"))).toEqual(
      new Map([
        ["ce-id", "42"],
        ["nats-msg-id", "abc"],
      ]),
    );
  });

  it("keeps a repeated name's first value", () => {
    expect(parseHeaderBlock(block("ce-id: 1", "ce-id: 2")).get("ce-id")).toBe("1");
  });

  it("refuses one name spelt two ways with different values", () => {
    expect(() => parseHeaderBlock(block("ce-id: 1", "CE-ID: 2"))).toThrow(/header "ce-id" appears twice/);
  });

  it("skips the status line and lines without a colon", () => {
    expect(parseHeaderBlock(block("no colon here", "ce-id: 1"))).toEqual(new Map([["ce-id", "1"]]));
    expect(parseHeaderBlock(bytesOf("NATS/1.0 503 No Responders\r\n\r\n"))).toEqual(new Map());
  });

  it.each([
    ["a name with a space", "ce id: 1"],
    ["a name with a control character", "ce-\u0001id: 1"],
    ["a value with a bare line feed", "ce-id: 1\n2"],
  ])("refuses %s, with a stable code", (_case, line) => {
    const error = (() => {
      try {
        parseHeaderBlock(block(line));
      } catch (err) {
        return err;
      }
    })();
    expect(error).toBeInstanceOf(BindingError);
    expect((error as BindingError).code).toBe("INVALID_HEADER");
  });

  it("agrees with nats.js's decoder on arbitrary header blocks", () => {
    const name = fc.oneof(
      fc.constantFrom("ce-id", "CE-ID", "Ce-Source", "content-type", "Nats-Msg-Id", ""),
      fc.string({ unit: "binary-ascii", maxLength: 12 }),
    );
    const value = fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: "binary", maxLength: 12 }));
    const line = fc.oneof(
      fc.tuple(name, value).map(([n, v]) => `${n}:${v}`),
      fc.string({ unit: "binary", maxLength: 16 }),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 8 }), (lines) => {
        const bytes = block(...lines);
        expect(verdict(() => parseHeaderBlock(bytes))).toEqual(viaNatsJs(bytes));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("rawHeaderBlock", () => {
  it("finds the block where nats.js keeps it, on the message or on a JetStream message's inner one", () => {
    const data = bytesOf("NATS/1.0\r\nce-id: 1\r\n\r\n{}");
    const core = { _rdata: data, _msg: { hdr: data.length - 2 } };
    expect(rawHeaderBlock(core)).toEqual(data.subarray(0, data.length - 2));
    expect(rawHeaderBlock({ msg: core })).toEqual(data.subarray(0, data.length - 2));
  });

  it("gives up on any other shape, so the caller reads msg.headers", () => {
    expect(rawHeaderBlock({ headers: undefined, data: new Uint8Array() })).toBeUndefined();
    expect(rawHeaderBlock({ _rdata: bytesOf("{}"), _msg: { hdr: -1 } })).toBeUndefined();
  });
});
