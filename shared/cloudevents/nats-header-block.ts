// A received message's NATS header block read straight into the binding's lower-cased map.
//
// nats.js decodes every header block into MsgHdrs, whose append() lists and filters all keys for
// each header: about 7 KB of garbage per CloudEvent, a quarter of what the host allocates per
// delivery. This reads the same bytes with the same rules (the property test in
// nats-header-block.test.ts holds the two to identical verdicts), without the intermediate record.
import { BindingError } from "./binding-error.ts";
import { addLowerCased } from "./nats-message.ts";

const text = new TextDecoder();
const COLON = 0x3a;

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
