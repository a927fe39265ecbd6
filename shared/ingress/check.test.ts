// The clock-skew and tenant-pattern checks of one event, without a server.
import { aTenantCordonRequested, aTenantRequested } from "../../schemas/fixtures.ts";
import { eventType, type EventName } from "../../schemas/events.ts";
import { checkCandidate, type CheckContext } from "./check.ts";
import type { Candidate } from "./decode.ts";
import { parseSources } from "./sources.ts";

const NOW = Date.parse("2026-12-01T12:00:00Z");
const [portal, ops] = parseSources([
  {
    name: "portal",
    token: "portal-token-long-enough",
    allowedTypes: [
      "tenant.requested",
      "tenant.cordon-requested",
      "tenant.uncordon-requested",
      "tenant.retire-requested",
    ],
    sourcePattern: "https://portal.example.com",
    tenants: ["acme", "team-*"],
  },
  { name: "ops", token: "ops-token-long-enough-0", allowedTypes: ["tenant.requested"] },
]);

function aCandidate(
  time: string,
  tenant = "acme",
  source = "https://portal.example.com/t/1",
  name: EventName = "tenant.requested",
): Candidate {
  const attributes = new Map<string, unknown>([
    ["specversion", "1.0"],
    ["id", "e-1"],
    ["source", source],
    ["type", eventType(name)],
    ["time", time],
    ["datacontenttype", "application/json"],
  ]);
  const data =
    name === "tenant.requested" ? aTenantRequested({ tenant }) : { ...aTenantCordonRequested(), tenant };
  return { attributes, data, issues: [], where: (a) => a, dataPath: "data" };
}

const context = (overrides: Partial<CheckContext> = {}): CheckContext => ({
  source: portal!,
  now: NOW,
  maxClockSkewMs: 60_000,
  ...overrides,
});

test("a time within the allowed skew passes; one beyond it is invalid with the reason", () => {
  expect(checkCandidate(aCandidate("2026-12-01T12:00:59Z"), context()).event).toBeDefined();
  const future = checkCandidate(aCandidate("2999-01-01T00:00:00Z"), context());
  expect(future.event).toBeUndefined();
  expect(future.invalid.map((i) => i.path)).toEqual(["time"]);
  expect(future.invalid[0]?.message).toMatch(/ahead of this clock; at most 60 s of clock skew/);
  const justOver = checkCandidate(aCandidate("2026-12-01T12:01:01Z"), context());
  expect(justOver.invalid.map((i) => i.path)).toEqual(["time"]);
});

test("the skew is the configured one, and a malformed time is named once", () => {
  expect(checkCandidate(aCandidate("2026-12-01T12:30:00Z"), context()).invalid).toHaveLength(1);
  const wide = context({ maxClockSkewMs: 3_600_000 });
  expect(checkCandidate(aCandidate("2026-12-01T12:30:00Z"), wide).invalid).toEqual([]);
  const malformed = checkCandidate(aCandidate("2999-01-01"), context());
  expect(malformed.invalid).toEqual([{ path: "time", message: "must be an RFC 3339 timestamp" }]);
});

test("a source with tenants may request only those; one without may request any", () => {
  const now = "2026-12-01T12:00:00Z";
  expect(checkCandidate(aCandidate(now, "team-red"), context()).event).toBeDefined();
  const other = checkCandidate(aCandidate(now, "globex"), context());
  expect(other.event).toBeUndefined();
  expect(other.forbidden).toEqual([
    { path: "data.tenant", message: 'source "portal" may not request tenant "globex" (only acme, team-*)' },
  ]);
  const anyTenant = context({ source: ops! });
  expect(checkCandidate(aCandidate(now, "globex", "urn:icn:ingress:ops"), anyTenant).event).toBeDefined();
});

test.each(["tenant.cordon-requested", "tenant.uncordon-requested", "tenant.retire-requested"] as const)(
  "the same tenant patterns hold for %s",
  (name) => {
    const now = "2026-12-01T12:00:00Z";
    const source = "https://portal.example.com/t/1";
    expect(checkCandidate(aCandidate(now, "team-red", source, name), context()).event).toBeDefined();
    const other = checkCandidate(aCandidate(now, "globex", source, name), context());
    expect(other.forbidden.map((i) => i.path)).toEqual(["data.tenant"]);
  },
);

test("an id past 256 characters is refused with the limit, as the NATS binding refuses it", () => {
  const candidate = aCandidate("2026-12-01T12:00:00Z");
  candidate.attributes.set("id", "e".repeat(257));
  const verdict = checkCandidate(candidate, context());
  expect(verdict.event).toBeUndefined();
  expect(verdict.invalid[0]?.message).toMatch(/"id" is 257 characters long; the limit is 256/);
});
