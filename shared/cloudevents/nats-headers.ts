// A NATS message's headers as the binding reads them (names lower-cased, each with its first value), and
// the nats.js header record it sends.
//
// nats.js decodes every header block into MsgHdrs, whose append() lists and filters all keys for each
// header: about 7 KB of garbage per CloudEvent, a quarter of what the host allocates per delivery. So a
// received message's raw block is read here with the same rules (the property test in
// nats-headers.test.ts holds the two to identical verdicts), without the intermediate record.
import { headers, type MsgHdrs } from "@nats-io/transport-node";
import { BindingError } from "./binding-error.ts";

const text = new TextDecoder();
const COLON = 0x3a;

type ReceivedMsg = { readonly headers?: MsgHdrs; readonly data: Uint8Array };

export function toNatsHeaders(record: Readonly<Record<string, string>>): MsgHdrs {
  const hdrs = headers();
  for (const [name, value] of Object.entries(record)) hdrs.set(name, value);
  return hdrs;
}

/**
 * A received message's headers, names lower-cased, each with its first value (a CloudEvents attribute
 * has one value, as MsgHdrs.get() and the Go SDK agree). Read once per delivery and passed on.
 */
export function readHeaders(msg: ReceivedMsg): Map<string, string> {
  const block = rawHeaderBlock(msg);
  return block ? parseHeaderBlock(block) : lowerCasedNatsHeaders(msg.headers);
}

/**
 * Header names are case-insensitive (NATS ADR-4), so receivers look them up lower-cased. Two spellings of
 * one name with different values are ambiguous, and guessing which one the sender meant is unsafe.
 */
export function addLowerCased(lowered: Map<string, string>, name: string, value: string): void {
  const key = name.toLowerCase();
  const seen = lowered.get(key);
  if (seen !== undefined && seen !== value) {
    throw new BindingError("INVALID_ATTRIBUTE", `header "${key}" appears twice with different values`);
  }
  lowered.set(key, value);
}

export function lowerCaseHeaders(record: Readonly<Record<string, string>>): Map<string, string> {
  const lowered = new Map<string, string>();
  for (const [name, value] of Object.entries(record)) addLowerCased(lowered, name, value);
  return lowered;
}

export function lowerCasedNatsHeaders(hdrs: MsgHdrs | undefined): Map<string, string> {
  const lowered = new Map<string, string>();
  for (const [name, values] of hdrs ?? []) {
    const first = values[0];
    if (first !== undefined) addLowerCased(lowered, name, first);
  }
  return lowered;
}

/**
 * The raw header block of a message nats.js received, or undefined when it has none or keeps it
 * differently. Reads fields of nats.js's MsgImpl that its type declarations expose but its
 * interfaces do not; on any other shape the caller falls back to `msg.headers`.
 */
export function rawHeaderBlock(msg: unknown): Uint8Array | undefined {
  const core = (msg as { msg?: unknown }).msg ?? msg;
  const { _rdata: data, _msg: arg } = core as { _rdata?: unknown; _msg?: { hdr?: unknown } };
  const length = arg?.hdr;
  if (!(data instanceof Uint8Array) || typeof length !== "number" || length <= 0) return undefined;
  return data.subarray(0, length);
}

/** nats.js accepts printable ASCII other than the colon in a header name (RFC 822 §3.1.2). */
function checkName(name: string): void {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === COLON || c < 33 || c > 126) {
      throw new BindingError(
        "INVALID_HEADER",
        `header name ${JSON.stringify(name)} has a character NATS refuses`,
      );
    }
  }
}

/**
 * Lower-cased name → first value, as `lowerCasedNatsHeaders(MsgHdrsImpl.decode(block))`: the status
 * line skipped, lines without a colon ignored, values trimmed, a repeated name keeping its first value,
 * and one name spelt two ways with different values refused.
 */
export function parseHeaderBlock(block: Uint8Array): Map<string, string> {
  const lowered = new Map<string, string>();
  const seen = new Set<string>();
  const lines = text.decode(block).split("\r\n");
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    const colon = line.indexOf(":");
    if (colon < 0) continue; // the empty lines that end the block, too
    const name = line.slice(0, colon);
    checkName(name);
    const value = line.slice(colon + 1).trim();
    if (value.includes("\r") || value.includes("\n")) {
      throw new BindingError("INVALID_HEADER", `header "${name}" has a line break in its value`);
    }
    if (seen.has(name)) continue;
    seen.add(name);
    addLowerCased(lowered, name, value);
  }
  return lowered;
}
