// One POST of one event to one webhook: a structured-mode CloudEvent, signed, with a timeout; the answer classified.
import { HTTP, type CloudEvent } from "cloudevents";
import { IcnError } from "../../errors.ts";
import { signedHeaders, webhookId } from "./signature.ts";
import type { Webhook } from "./webhooks.ts";

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

/** The status of a 2xx answer; any other answer throws, classified (see ERROR_CODES). */
async function classify(res: Response): Promise<number> {
  if (res.status >= 200 && res.status < 300) {
    await res.body?.cancel();
    return res.status;
  }
  const detail = await excerpt(res);
  const message = `HTTP ${res.status}${detail ? `: ${detail}` : ""}`;
  if (res.status >= 500 || RETRYABLE_STATUS.has(res.status)) {
    const retryAfter = retryAfterMs(res.headers.get("retry-after"));
    throw new IcnError("WEBHOOK_UNAVAILABLE", message, retryAfter ? { retryAfterMs: retryAfter } : {});
  }
  // Redirects are not followed: a signed event goes only where it was configured to go.
  throw new IcnError("WEBHOOK_REJECTED", message);
}

/**
 * Posts the event until `signal` aborts (the attempt's deadline, or the notifier stopping); returns the
 * receiver's 2xx status, or throws WEBHOOK_REJECTED, WEBHOOK_UNAVAILABLE, or the signal's reason.
 */
export async function postEvent(
  webhook: Pick<Webhook, "name" | "url" | "secret">,
  event: CloudEvent<unknown>,
  signal: AbortSignal,
): Promise<number> {
  const { contentType, body } = structuredRequest(event);
  const headers = {
    "content-type": contentType,
    "user-agent": "icn-notify-webhooks",
    ...signedHeaders(webhook.secret, webhookId(webhook.name, event), body, new Date()),
  };
  let res: Response;
  try {
    res = await fetch(webhook.url, { method: "POST", headers, body, redirect: "manual", signal });
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new IcnError("WEBHOOK_UNAVAILABLE", cause?.code ?? cause?.message ?? String(err), { cause: err });
  }
  return classify(res);
}
