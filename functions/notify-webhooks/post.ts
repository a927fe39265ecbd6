// One POST of one event to one webhook: a structured-mode CloudEvent, signed, with a timeout; the answer classified.
import { HTTP, type CloudEvent } from "cloudevents";
import { signedHeaders, webhookId } from "./signature.ts";
import type { Webhook } from "./webhooks.ts";

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
 * CloudEvents HTTP structured mode: every attribute (id, source, type, causeid, …) is in the body,
 * so the signature covers all of them. In binary mode they were headers the signature left out.
 */
export function structuredRequest(event: CloudEvent<unknown>): { contentType: string; body: Buffer } {
  const message = HTTP.structured(event);
  return { contentType: String(message.headers["content-type"]), body: Buffer.from(String(message.body)) };
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
  webhook: Pick<Webhook, "name" | "url" | "secret">,
  event: CloudEvent<unknown>,
  timeoutMs: number,
): Promise<PostResult> {
  const { contentType, body } = structuredRequest(event);
  const headers = {
    "content-type": contentType,
    "user-agent": "icn-notify-webhooks",
    ...signedHeaders(webhook.secret, webhookId(webhook.name, event), body, new Date()),
  };
  try {
    const res = await fetch(webhook.url, {
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
