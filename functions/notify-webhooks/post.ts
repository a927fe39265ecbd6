// One POST of one event to one webhook: a binary-mode CloudEvent, signed, with a timeout; the answer classified.
import { createHmac } from "node:crypto";
import { HTTP, type CloudEvent } from "cloudevents";
import { percentEncode } from "../../shared/cloudevents/percent.ts";

export const SIGNATURE_HEADER = "X-Icn-Signature";
export const TIMESTAMP_HEADER = "X-Icn-Timestamp";

/** Why a delivery failed, as the dead letter and the outcome record show it. */
export const NOTIFY_ERRORS = {
  WEBHOOK_REJECTED: "the receiver answered 3xx or 4xx: sending the same request again cannot help",
  WEBHOOK_UNAVAILABLE: "the receiver answered 5xx or 429, or could not be reached",
  TIMEOUT: "the receiver did not answer in time",
  BAD_EVENT: "the message on the bus is not a valid CloudEvent",
} as const;

export type NotifyErrorCode = keyof typeof NOTIFY_ERRORS;

export type PostResult =
  | { ok: true; status: number }
  | { ok: false; retryable: boolean; code: NotifyErrorCode; message: string; retryAfterMs?: number };

/**
 * `sha256=<hex>` of `<timestamp>.<exact body bytes>`, keyed with the webhook's secret. The
 * timestamp is signed too, so a receiver can refuse a captured request replayed later.
 */
export function signature(secret: string, timestamp: string, body: Uint8Array): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest("hex")}`;
}

/**
 * The SDK writes attribute values into headers as they are; the HTTP binding says they are
 * percent-encoded, and fetch refuses non-ASCII header values outright.
 */
export function binaryRequest(event: CloudEvent<unknown>): { headers: Record<string, string>; body: Buffer } {
  const message = HTTP.binary(event);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) {
    if (value === undefined) continue;
    const text = String(value);
    headers[name] = name.toLowerCase().startsWith("ce-") ? percentEncode(text) : text;
  }
  const raw = message.body;
  const body =
    raw === undefined
      ? Buffer.alloc(0)
      : typeof raw === "string"
        ? Buffer.from(raw)
        : Buffer.from(raw as Uint8Array);
  return { headers, body };
}

const RETRYABLE_STATUS = new Set([408, 425, 429]);
const MAX_RETRY_AFTER_MS = 5 * 60_000;

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, MAX_RETRY_AFTER_MS) : undefined;
}

async function excerpt(res: Response): Promise<string> {
  const reader = res.body?.getReader();
  if (!reader) return "";
  const value = await reader.read().then(
    (chunk): Uint8Array | undefined => chunk.value as Uint8Array | undefined,
    () => undefined,
  );
  await reader.cancel().catch(() => undefined);
  return value ? Buffer.from(value).toString("utf8", 0, 200).trim() : "";
}

async function classify(res: Response): Promise<PostResult> {
  if (res.status >= 200 && res.status < 300) {
    await res.body?.cancel();
    return { ok: true, status: res.status };
  }
  const detail = await excerpt(res);
  const message = `HTTP ${res.status}${detail ? `: ${detail}` : ""}`;
  if (res.status >= 500 || RETRYABLE_STATUS.has(res.status))
    return {
      ok: false,
      retryable: true,
      code: "WEBHOOK_UNAVAILABLE",
      message,
      retryAfterMs: retryAfterMs(res.headers.get("retry-after")),
    };
  // Redirects are not followed: a signed event goes only where it was configured to go.
  return { ok: false, retryable: false, code: "WEBHOOK_REJECTED", message };
}

export async function postEvent(
  url: string,
  secret: string,
  event: CloudEvent<unknown>,
  timeoutMs: number,
): Promise<PostResult> {
  const { headers, body } = binaryRequest(event);
  const timestamp = String(Math.floor(Date.now() / 1000));
  headers[SIGNATURE_HEADER] = signature(secret, timestamp, body);
  headers[TIMESTAMP_HEADER] = timestamp;
  headers["user-agent"] = "icn-notify-webhooks";
  try {
    const res = await fetch(url, {
      method: "POST",
      headers,
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    return await classify(res);
  } catch (err) {
    if (err instanceof DOMException && err.name === "TimeoutError")
      return { ok: false, retryable: true, code: "TIMEOUT", message: `no answer within ${timeoutMs} ms` };
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return {
      ok: false,
      retryable: true,
      code: "WEBHOOK_UNAVAILABLE",
      message: cause?.code ?? cause?.message ?? String(err),
    };
  }
}
