// Tokens, hashed tokens and source ownership, without a server.
import { createHash } from "node:crypto";
import { authenticate, sourceBelongsTo } from "./auth.ts";
import { parseSources } from "./sources.ts";

const TOKEN = "a-long-enough-plain-token";
const HASHED = "another-long-enough-token";
const sources = parseSources([
  {
    name: "portal",
    token: TOKEN,
    allowedTypes: ["tenant.requested"],
    sourcePattern: "https://portal.example.com",
  },
  {
    name: "detector",
    token: `sha256:${createHash("sha256").update(HASHED).digest("hex")}`,
    allowedTypes: ["pod.unsafe"],
  },
]);

test("a plain and a hashed token each authenticate their own source; anything else does not", () => {
  expect(authenticate(`Bearer ${TOKEN}`, sources)).toMatchObject({ ok: true, source: { name: "portal" } });
  expect(authenticate(`bearer ${HASHED}`, sources)).toMatchObject({ ok: true, source: { name: "detector" } });
  expect(authenticate(undefined, sources)).toEqual({ ok: false, reason: "missing" });
  expect(authenticate(`Bearer ${TOKEN}x`, sources)).toEqual({ ok: false, reason: "invalid" });
  expect(authenticate(`Basic ${TOKEN}`, sources)).toEqual({ ok: false, reason: "invalid" });
});

test("a source owns its URI and what lies below it, not look-alikes", () => {
  const pattern = "https://portal.example.com";
  expect(sourceBelongsTo(pattern, pattern)).toBe(true);
  expect(sourceBelongsTo(`${pattern}/tickets/1`, pattern)).toBe(true);
  expect(sourceBelongsTo(`${pattern}.evil.org`, pattern)).toBe(false);
  expect(sourceBelongsTo("urn:detector:pods", "urn:detector")).toBe(true);
  expect(sourceBelongsTo("urn:detectors", "urn:detector")).toBe(false);
  expect(sourceBelongsTo("urn:x:1", "urn:x:")).toBe(true);
});

test("a source without a pattern owns urn:icn:ingress:<name>", () => {
  expect(sources[1]?.sourcePattern).toBe("urn:icn:ingress:detector");
});

test("bad configurations fail with every reason", () => {
  const entry = { name: "a", token: TOKEN, allowedTypes: ["tenant.requested"] };
  expect(() => parseSources([{ ...entry, token: "short" }])).toThrow(/0\.token: token must be/);
  expect(() => parseSources([{ ...entry, allowedTypes: ["pod.quarantined"] }])).toThrow(
    /allowedTypes may name only/,
  );
  expect(() => parseSources([entry, { ...entry, name: "b" }])).toThrow(/share a token/);
  expect(() => parseSources([entry, { ...entry, token: HASHED }])).toThrow(/share a name/);
  expect(() => parseSources([])).toThrow(/at least one source/);
});
