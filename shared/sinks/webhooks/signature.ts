// Standard Webhooks signing (www.standardwebhooks.com): receivers verify with that spec's libraries.
import { createHash, createHmac } from "node:crypto";
import type { CloudEvent } from "cloudevents";

export const WEBHOOK_HEADERS = {
  id: "webhook-id",
  timestamp: "webhook-timestamp",
  signature: "webhook-signature",
} as const;

/** The spec's form of a secret: the prefix, then the key bytes in standard base64. */
export const SECRET_PREFIX = "whsec_";
// The spec's floor for a whsec_ key; a plain secret keeps the floor it always had.
const MIN_KEY_BYTES = 24;
const MIN_PLAIN_SECRET_LENGTH = 16;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export type SigningKey = { ok: true; key: Buffer } | { ok: false; problem: string };

/**
 * The HMAC key a configured secret stands for. `whsec_<base64>` is decoded as the spec says. Any
 * other string (the form this notifier took before it followed the spec) is its own UTF-8 bytes,
 * so configured secrets keep their key; its receiver-side form is `whsec_` + base64 of the string.
 */
export function signingKey(secret: string): SigningKey {
  if (!secret.startsWith(SECRET_PREFIX)) {
    return secret.length >= MIN_PLAIN_SECRET_LENGTH
      ? { ok: true, key: Buffer.from(secret, "utf8") }
      : { ok: false, problem: `secret must be at least ${MIN_PLAIN_SECRET_LENGTH} characters` };
  }
  const encoded = secret.slice(SECRET_PREFIX.length);
  // Buffer.from skips characters that are not base64; a typo must not quietly shorten the key.
  if (!BASE64.test(encoded))
    return { ok: false, problem: `a ${SECRET_PREFIX} secret must be standard base64` };
  const key = Buffer.from(encoded, "base64");
  return key.length >= MIN_KEY_BYTES
    ? { ok: true, key }
    : { ok: false, problem: `a ${SECRET_PREFIX} secret must hold at least ${MIN_KEY_BYTES} bytes` };
}

/**
 * One id per (event, webhook): every retry and redrive of the event to that webhook carries it, so
 * the receiver de-duplicates on it. A hash, so it has no dot to blur the signed `id.timestamp.body`.
 */
export function webhookId(webhookName: string, event: Pick<CloudEvent<unknown>, "source" | "id">): string {
  const digest = createHash("sha256").update(JSON.stringify([webhookName, event.source, event.id]));
  return `msg_${digest.digest("hex").slice(0, 32)}`;
}

/** `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<exact body bytes>">`, as the spec defines it. */
export function signature(key: Uint8Array, id: string, timestamp: string, body: Uint8Array): string {
  return `v1,${createHmac("sha256", key).update(`${id}.${timestamp}.`).update(body).digest("base64")}`;
}

/** The three headers of one attempt; the timestamp is this attempt's, so a receiver can refuse old copies. */
export function signedHeaders(
  key: Uint8Array,
  id: string,
  body: Uint8Array,
  now: Date,
): Record<string, string> {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  return {
    [WEBHOOK_HEADERS.id]: id,
    [WEBHOOK_HEADERS.timestamp]: timestamp,
    [WEBHOOK_HEADERS.signature]: signature(key, id, timestamp, body),
  };
}
