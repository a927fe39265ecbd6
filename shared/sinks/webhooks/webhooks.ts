// Which webhooks get which result events: the ICN_WEBHOOKS file, validated once at start.
import { readFileSync } from "node:fs";
import { z } from "zod";
import { EVENT_NAMES, isResultEvent, type ResultEventName } from "../../../schemas/events.ts";
import { signingKey } from "./signature.ts";

const RESULT_EVENT_NAMES = EVENT_NAMES.filter((name): name is ResultEventName => isResultEvent(name));

// Decoded once at start: a secret that is unfit stops the notifier, not its first delivery.
const secretSchema = z.string().transform((secret, ctx) => {
  const parsed = signingKey(secret);
  if (parsed.ok) return parsed.key;
  ctx.addIssue({ code: "custom", message: parsed.problem });
  return z.NEVER;
});

const webhookSchema = z.strictObject({
  // The consumer and dead letters are named `notify-<name>`, which must stay a function-name token.
  name: z.string().regex(/^[a-z][a-z0-9-]{0,33}$/, "name must be a lowercase token of at most 34 characters"),
  url: z
    .string()
    .refine(
      (url) => URL.canParse(url) && ["http:", "https:"].includes(new URL(url).protocol),
      "url must be an http:// or https:// URL",
    ),
  /** The HMAC key: `whsec_<base64>`, or a plain string that is its own key (see signingKey). */
  secret: secretSchema,
  types: z
    .array(z.enum(RESULT_EVENT_NAMES, { error: `types may name only ${RESULT_EVENT_NAMES.join(", ")}` }))
    .min(1, "types must name at least one result event"),
});

export type Webhook = z.infer<typeof webhookSchema>;

/** The durable consumer, dead letters and outcome records of a webhook all go by this name. */
export const notifierName = (webhook: Pick<Webhook, "name">): string => `notify-${webhook.name}`;

export function parseWebhooks(json: unknown): Webhook[] {
  const parsed = z.array(webhookSchema).safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(file)"}: ${i.message}`);
    throw new Error(`webhooks are invalid: ${problems.join("; ")}`);
  }
  const names = new Set(parsed.data.map((w) => w.name));
  if (names.size !== parsed.data.length) throw new Error("webhooks are invalid: two webhooks share a name");
  return parsed.data;
}

export function loadWebhooks(path: string | undefined): Webhook[] {
  if (!path) throw new Error("ICN_WEBHOOKS must name the JSON file of webhooks");
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new Error(`cannot read webhooks from ${path}: ${String(err)}`);
  }
  return parseWebhooks(json);
}
