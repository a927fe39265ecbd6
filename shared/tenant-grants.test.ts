// Tenant patterns and grants, without a server.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../deploy/local/paths.ts";
import { parseSources } from "./ingress/sources.ts";
import {
  loadTenantGrants,
  mayChangeTenant,
  tenantGrantsFromSources,
  tenantMatches,
  type TenantGrant,
} from "./tenant-grants.ts";

const entry = (name: string, extra: object = {}): object => ({
  name,
  token: `${name}-token-long-enough-0123`,
  allowedTypes: ["tenant.requested"],
  ...extra,
});

test("a pattern is an exact name or a prefix ending in *", () => {
  expect(tenantMatches(["acme"], "acme")).toBe(true);
  expect(tenantMatches(["acme"], "acme-prod")).toBe(false);
  expect(tenantMatches(["acme"], "acm")).toBe(false);
  expect(tenantMatches(["team-*"], "team-a")).toBe(true);
  expect(tenantMatches(["team-*"], "team")).toBe(false);
  expect(tenantMatches(["team-*"], "teams")).toBe(false);
  expect(tenantMatches(["*"], "anything")).toBe(true);
  expect(tenantMatches(["acme", "team-*"], "team-b")).toBe(true);
  expect(tenantMatches([], "acme")).toBe(false);
});

test("only sources with tenants grant; the grant names the source's pattern and keeps no token", () => {
  const sources = parseSources([
    entry("portal", { sourcePattern: "https://portal.example.com", tenants: ["acme", "team-*"] }),
    entry("jira"),
  ]);
  expect(tenantGrantsFromSources(sources)).toEqual([
    { sourcePattern: "https://portal.example.com", tenants: ["acme", "team-*"] },
  ]);
});

test("a grant covers its source and what lies below it, for its tenants only", () => {
  const grants: TenantGrant[] = [
    { sourcePattern: "https://portal.example.com", tenants: ["acme", "team-*"] },
  ];
  expect(mayChangeTenant(grants, "https://portal.example.com/tickets/9", "acme")).toBe(true);
  expect(mayChangeTenant(grants, "https://portal.example.com", "team-x")).toBe(true);
  expect(mayChangeTenant(grants, "https://portal.example.com/tickets/9", "globex")).toBe(false);
  expect(mayChangeTenant(grants, "https://portal.example.com.evil.org", "acme")).toBe(false);
  expect(mayChangeTenant([], "https://portal.example.com", "acme")).toBe(false);
});

test("loadTenantGrants reads the ingress sources file and refuses a bad pattern as the ingress does", () => {
  const dir = mkdtempSync(join(tmpdir(), "icn-grants-"));
  const good = join(dir, "good.json");
  writeFileSync(good, JSON.stringify([entry("ops", { tenants: ["*"] })]));
  expect(loadTenantGrants(good)).toEqual([{ sourcePattern: "urn:icn:ingress:ops", tenants: ["*"] }]);
  const bad = join(dir, "bad.json");
  writeFileSync(bad, JSON.stringify([entry("ops", { tenants: ["Acme*", "a*b"] })]));
  expect(() => loadTenantGrants(bad)).toThrow(/0\.tenants\.0: tenants holds tenant names/);
  writeFileSync(bad, JSON.stringify([entry("ops", { tenants: [] })]));
  expect(() => loadTenantGrants(bad)).toThrow(/tenants must name at least one/);
});

test("the dev overlay's sources file grants its ticketing source acme and dev-*", () => {
  expect(loadTenantGrants(join(repoRoot, "deploy/overlays/dev/ingress-sources.json"))).toEqual([
    { sourcePattern: "urn:icn:ingress:dev-ticketing", tenants: ["acme", "dev-*"] },
  ]);
});
