// Percent-encoding of ce- header values, as the CloudEvents NATS binding (and the HTTP binding) defines it.
import { BindingError } from "./binding-error.ts";

const utf8 = new TextEncoder();
// fatal: overlong forms, encoded surrogates and cut-off sequences must be rejected, not replaced with U+FFFD.
// ignoreBOM: a leading U+FEFF is part of the attribute value, not a byte-order mark to drop.
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

const LONE_SURROGATE = /\p{Cs}/u;
const MALFORMED_ESCAPE = /%(?![0-9A-Fa-f]{2})/;
const ESCAPE_RUN = /(?:%[0-9A-Fa-f]{2})+/g;
const QUOTED_STRING = /^"((?:[^"\\]|\\[\s\S])*)"$/;

/**
 * Space, double-quote and percent, and everything outside printable ASCII (U+0021–U+007E), which also
 * covers the control characters the spec recommends encoding.
 */
function mustEncode(codePoint: number): boolean {
  return codePoint <= 0x20 || codePoint >= 0x7f || codePoint === 0x22 || codePoint === 0x25;
}

function escapeUtf8(char: string): string {
  let out = "";
  for (const byte of utf8.encode(char)) out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  return out;
}

/** Encodes an attribute's canonical string so it survives as a NATS header value, byte for byte. */
export function percentEncode(value: string): string {
  // A lone surrogate has no UTF-8 form; TextEncoder would silently turn it into U+FFFD.
  if (LONE_SURROGATE.test(value)) {
    throw new BindingError("INVALID_ATTRIBUTE", "attribute value contains a lone UTF-16 surrogate");
  }
  let out = "";
  // for..of walks code points, so a surrogate pair is encoded as the one character it is.
  for (const char of value) out += mustEncode(char.codePointAt(0) ?? 0) ? escapeUtf8(char) : char;
  return out;
}

function invalid(label: string, reason: string): BindingError {
  return new BindingError("INVALID_PERCENT_ENCODING", `${label}: ${reason}`);
}

function excerpt(text: string): string {
  return text.length > 24 ? `${text.slice(0, 24)}…` : text;
}

/**
 * Older binding versions allowed RFC 7230 quoted-strings, and the spec says receivers MUST still unquote
 * them (including backslash escapes) before percent-decoding.
 */
function unquote(value: string, label: string): string {
  if (!value.startsWith('"')) return value;
  const match = QUOTED_STRING.exec(value);
  if (!match) {
    throw invalid(label, `${JSON.stringify(excerpt(value))} opens a quoted-string but never closes it`);
  }
  return (match[1] ?? "").replace(/\\([\s\S])/g, "$1");
}

function decodeRun(run: string, offset: number, label: string): string {
  const bytes = Uint8Array.from(run.slice(1).split("%"), (hex) => parseInt(hex, 16));
  try {
    return strictUtf8.decode(bytes);
  } catch (cause) {
    const reason = `${JSON.stringify(excerpt(run))} at offset ${offset} does not decode to valid UTF-8`;
    throw new BindingError("INVALID_PERCENT_ENCODING", `${label}: ${reason}`, { cause });
  }
}

/**
 * Decodes one header value: unquote, then exactly one round of percent-decoding. A value without `%`
 * decodes to itself, so raw values (the Go SDK writes them unencoded) still read correctly.
 * `label` names the header in the error message.
 */
export function percentDecode(value: string, label = "header value"): string {
  const text = unquote(value, label);
  if (!text.includes("%")) return text;
  const bad = MALFORMED_ESCAPE.exec(text);
  if (bad) {
    const found = JSON.stringify(text.slice(bad.index, bad.index + 3));
    throw invalid(label, `${found} at offset ${bad.index} is not "%" followed by two hex digits`);
  }
  // Raw characters are whole code points already, so each run of escapes must be complete UTF-8 on its own.
  return text.replace(ESCAPE_RUN, (run: string, offset: number) => decodeRun(run, offset, label));
}
