// How an event's data becomes payload bytes and back, as its datacontenttype says.
import { BindingError } from "./binding-error.ts";

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** The media type without parameters, lower-cased: `Application/JSON; charset=utf-8` → `application/json`. */
export function mediaType(contentType: string | undefined): string | undefined {
  return contentType?.split(";", 1)[0]?.trim().toLowerCase();
}

/** JSON event format §3.1: JSON is `application/json` or any `+json` type; absent means JSON too. */
export function isJsonContentType(contentType: string | undefined): boolean {
  const type = mediaType(contentType);
  return type === undefined || type === "application/json" || type === "text/json" || type.endsWith("+json");
}

function isTextContentType(contentType: string): boolean {
  const type = mediaType(contentType) ?? "";
  return (
    type.startsWith("text/") ||
    type.endsWith("/xml") ||
    type.endsWith("+xml") ||
    /;\s*charset=/i.test(contentType)
  );
}

/** Binary data travels as its own bytes; a copy keeps the event independent of the caller's buffer. */
export function asBytes(data: unknown): Uint8Array | undefined {
  if (!ArrayBuffer.isView(data)) return undefined;
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
}

/** JSON text for `data`; cycles, BigInts and functions are the sender's bug, reported as INVALID_DATA. */
export function toJson(data: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(data);
  } catch (cause) {
    throw new BindingError("INVALID_DATA", `data cannot be serialised as JSON: ${String(cause)}`, { cause });
  }
  if (text === undefined) {
    throw new BindingError("INVALID_DATA", `data of type ${typeof data} has no JSON form`);
  }
  return text;
}

export interface EncodedData {
  readonly bytes: Uint8Array;
  /** The datacontenttype to send: the event's own, or `application/json` when it had none and data is not binary. */
  readonly contentType: string | undefined;
}

/** Binary-mode payload for `data`; binary data without a datacontenttype stays untyped, as the spec requires. */
export function encodeData(data: unknown, contentType: string | undefined): EncodedData {
  if (data === undefined) return { bytes: new Uint8Array(0), contentType };
  const bytes = asBytes(data);
  if (bytes) return { bytes, contentType };
  // A string under a JSON type is a JSON string value, as in the JSON event format; it is quoted here.
  if (isJsonContentType(contentType)) {
    return { bytes: utf8.encode(toJson(data)), contentType: contentType ?? "application/json" };
  }
  if (typeof data === "string") return { bytes: utf8.encode(data), contentType };
  throw new BindingError(
    "INVALID_DATA",
    `data is ${typeof data} but datacontenttype "${contentType}" is neither JSON nor binary`,
  );
}

function decodeText(bytes: Uint8Array, code: "INVALID_JSON" | "INVALID_DATA", contentType: string): string {
  try {
    return strictUtf8.decode(bytes);
  } catch (cause) {
    throw new BindingError(code, `data declared "${contentType}" is not valid UTF-8`, { cause });
  }
}

/** Binary-mode data from the payload: parsed JSON, text as a string, anything else as bytes. */
export function decodeData(payload: Uint8Array, contentType: string | undefined): unknown {
  if (payload.byteLength === 0) return undefined;
  if (contentType === undefined) return payload.slice();
  if (isJsonContentType(contentType)) {
    const text = decodeText(payload, "INVALID_JSON", contentType);
    try {
      return JSON.parse(text) as unknown;
    } catch (cause) {
      const message = `data declared "${contentType}" is not valid JSON: ${String(cause)}`;
      throw new BindingError("INVALID_JSON", message, { cause });
    }
  }
  return isTextContentType(contentType) ? decodeText(payload, "INVALID_DATA", contentType) : payload.slice();
}
