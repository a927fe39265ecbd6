// Percent-encoding of ce- header values against the NATS binding spec's rules and its worked example.
import fc from "fast-check";
import type { BindingError } from "./binding-error.ts";
import { bindingErrorFrom } from "./fixtures.ts";
import { percentDecode, percentEncode } from "./percent.ts";

function decodeError(value: string): BindingError {
  return bindingErrorFrom(() => percentDecode(value, "ce-subject"));
}

describe("percentEncode", () => {
  it("encodes the spec's example exactly", () => {
    expect(percentEncode("Euro \u20AC \u{1F600}")).toBe("Euro%20%E2%82%AC%20%F0%9F%98%80");
  });

  it("encodes space, double-quote, percent, controls and DEL, and leaves other printable ASCII alone", () => {
    expect(percentEncode(' "%\t\r\n\u007F')).toBe("%20%22%25%09%0D%0A%7F");
    expect(percentEncode("/a-b_c.d~e:f?g=h&i+j'k(l)!*@#$,;[]{}|\\^`<>")).toBe(
      "/a-b_c.d~e:f?g=h&i+j'k(l)!*@#$,;[]{}|\\^`<>",
    );
  });

  it("refuses a lone surrogate, which has no UTF-8 form", () => {
    expect(bindingErrorFrom(() => percentEncode("a\uD800b")).code).toBe("INVALID_ATTRIBUTE");
  });

  it("only ever emits printable ASCII other than double-quote", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (value) => {
        expect(percentEncode(value)).toMatch(/^[\x21\x23-\x7E]*$/);
      }),
    );
  });
});

describe("percentDecode", () => {
  it("decodes the spec's example, in upper or lower case", () => {
    expect(percentDecode("Euro%20%E2%82%AC%20%F0%9F%98%80")).toBe("Euro \u20AC \u{1F600}");
    expect(percentDecode("Euro%20%e2%82%ac%20%f0%9f%98%80")).toBe("Euro \u20AC \u{1F600}");
  });

  it("returns a value without % as it is, the way the Go SDK writes raw values", () => {
    expect(percentDecode("org.akraino.icn.node.joined")).toBe("org.akraino.icn.node.joined");
    expect(percentDecode("caf\u00E9 \u{1F600}")).toBe("caf\u00E9 \u{1F600}");
  });

  it("accepts unnecessarily encoded characters and raw characters mixed with escapes", () => {
    expect(percentDecode("%41%42C")).toBe("ABC");
    expect(percentDecode("caf\u00E9%20%E2%82%AC")).toBe("caf\u00E9 \u20AC");
  });

  it("performs exactly one round of decoding", () => {
    expect(percentDecode("%2541")).toBe("%41");
  });

  it("keeps a leading byte-order mark as part of the value", () => {
    expect(percentDecode("%EF%BB%BFx")).toBe("\uFEFFx");
  });

  it("unquotes an RFC 7230 quoted-string before percent-decoding, as older senders wrote", () => {
    expect(percentDecode('"hello world"')).toBe("hello world");
    expect(percentDecode('"say \\"hi\\" %21"')).toBe('say "hi" !');
  });

  it.each([
    ["%zz", /"%zz" at offset 0 is not "%" followed by two hex digits/],
    ["ab%4", /"%4" at offset 2/],
    ["trailing%", /"%" at offset 8/],
    ["%C0%A0", /"%C0%A0" at offset 0 does not decode to valid UTF-8/],
    ["%ED%A0%80", /does not decode to valid UTF-8/],
    ["%E2%82", /does not decode to valid UTF-8/],
    ["%E2%82x%AC", /"%E2%82" at offset 0 does not decode to valid UTF-8/],
    ["%FF", /does not decode to valid UTF-8/],
    ['"unterminated', /opens a quoted-string but never closes it/],
    ['"ends in a backslash\\"', /never closes it/],
  ])("rejects %j with a reason", (value, reason) => {
    const err = decodeError(value);
    expect(err.code).toBe("INVALID_PERCENT_ENCODING");
    expect(err.message).toMatch(/^ce-subject: /);
    expect(err.message).toMatch(reason);
  });

  it("inverts percentEncode for any Unicode string", () => {
    const anyText = fc.oneof(fc.string({ unit: "binary" }), fc.string({ unit: "grapheme" }));
    fc.assert(fc.property(anyText, (value) => expect(percentDecode(percentEncode(value))).toBe(value)));
  });
});
