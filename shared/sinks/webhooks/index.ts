// Outbound notifications: result events to webhooks as structured CloudEvents, signed as Standard Webhooks.
export { startNotifier, DEFAULT_TIMEOUT_MS, type Notifier, type NotifierOptions } from "./notifier.ts";
export { loadWebhooks, parseWebhooks, notifierName, type Webhook } from "./webhooks.ts";

export { signature, signingKey, webhookId, WEBHOOK_HEADERS, SECRET_PREFIX } from "./signature.ts";
