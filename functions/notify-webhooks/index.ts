// Outbound notifications: result events to configured webhooks as signed binary-mode CloudEvents over HTTP.
export { startNotifier, DEFAULT_TIMEOUT_MS, type Notifier, type NotifierOptions } from "./notifier.ts";
export { loadWebhooks, parseWebhooks, notifierName, type Webhook } from "./webhooks.ts";
export { signature, SIGNATURE_HEADER, TIMESTAMP_HEADER, NOTIFY_ERRORS } from "./post.ts";
