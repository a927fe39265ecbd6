// Who may post to the ingress: one entry per ticketing system, its token (ideally only a hash), what it may send.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { z } from "zod";
import { EVENT_NAMES, isResultEvent, type InputEventName } from "../../schemas/events.ts";
import { isDns1123Label } from "../../schemas/names.ts";

export const INPUT_EVENT_NAMES = EVENT_NAMES.filter((name): name is InputEventName => !isResultEvent(name));

/** A token of this form is the SHA-256 of the real one, so the file holds no secret. */
const HASHED_TOKEN = /^sha256:[0-9a-f]{64}$/;
// Plain tokens are allowed for development; short ones would be guessable.
const MIN_TOKEN_LENGTH = 16;
/** A tenant pattern: an exact tenant name, or a prefix ending in `*` (`*` alone is every tenant). */
const TENANT_PREFIX = /^([a-z0-9][-a-z0-9]{0,61})?\*$/;
const isTenantPattern = (p: string): boolean => isDns1123Label(p) || TENANT_PREFIX.test(p);

/** The default namespace of a source's events when its configuration names none. */
export const defaultSourcePattern = (name: string): string => `urn:icn:ingress:${name}`;

const sourceEntrySchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, "name must be a lowercase token (a-z, 0-9, -)"),
  token: z
    .string()
    .refine((t) => HASHED_TOKEN.test(t) || (!t.startsWith("sha256:") && t.length >= MIN_TOKEN_LENGTH), {
      error: `token must be "sha256:<64 lowercase hex>" or a plain token of at least ${MIN_TOKEN_LENGTH} characters`,
    }),
  allowedTypes: z
    .array(z.enum(INPUT_EVENT_NAMES, { error: `allowedTypes may name only ${INPUT_EVENT_NAMES.join(", ")}` }))
    .min(1, "allowedTypes must name at least one event"),
  sourcePattern: z.string().min(1).optional(),
  tenants: z
    .array(
      z.string().refine(isTenantPattern, {
        error: 'tenants holds tenant names ("acme") or prefixes ending in * ("team-*")',
      }),
    )
    .min(1, "tenants must name at least one tenant pattern (leave it out to allow any tenant)")
    .optional(),
});

export type SourceEntry = z.infer<typeof sourceEntrySchema>;

/** A source as the ingress uses it: the token only as its digest. */
export interface IngressSource {
  readonly name: string;
  readonly tokenDigest: Buffer;
  readonly allowedTypes: ReadonlySet<InputEventName>;
  /** Event `source` attributes this source may use: this URI or anything below it. */
  readonly sourcePattern: string;
  /** Tenants whose events (requested, cordon, uncordon, retire) this source may send; undefined: any (see shared/tenant-grants.ts). */
  readonly tenants?: readonly string[];
}

export function tokenDigest(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}

function toSource(entry: SourceEntry): IngressSource {
  const digest = HASHED_TOKEN.test(entry.token)
    ? Buffer.from(entry.token.slice("sha256:".length), "hex")
    : tokenDigest(entry.token);
  return {
    name: entry.name,
    tokenDigest: digest,
    allowedTypes: new Set(entry.allowedTypes),
    sourcePattern: entry.sourcePattern ?? defaultSourcePattern(entry.name),
    ...(entry.tenants ? { tenants: entry.tenants } : {}),
  };
}

/** Validates a parsed configuration; two sources with one token or one name would make "who sent it" ambiguous. */
export function parseSources(json: unknown): IngressSource[] {
  const parsed = z.array(sourceEntrySchema).min(1, "at least one source is needed").safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(file)"}: ${i.message}`);
    throw new Error(`ingress sources are invalid: ${problems.join("; ")}`);
  }
  const sources = parsed.data.map(toSource);
  const names = new Set(sources.map((s) => s.name));
  const digests = new Set(sources.map((s) => s.tokenDigest.toString("hex")));
  if (names.size !== sources.length) throw new Error("ingress sources are invalid: two sources share a name");
  if (digests.size !== sources.length)
    throw new Error("ingress sources are invalid: two sources share a token");
  return sources;
}

export function loadSources(path: string | undefined): IngressSource[] {
  if (!path) throw new Error("ICN_INGRESS_SOURCES must name the JSON file of ingress sources");
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new Error(`cannot read ingress sources from ${path}: ${String(err)}`);
  }
  return parseSources(json);
}
