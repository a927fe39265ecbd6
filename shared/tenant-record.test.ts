import { checkOwner, orderRequest, protectionData, refuseRetired } from "./tenant-record.ts";

test("a tenant belongs to the source that created it unless the operator granted another", () => {
  const record = { ownerSource: "urn:portal" };
  const request = { tenant: "acme", source: "urn:jira" };
  expect(checkOwner(undefined, request, [])).toBe("urn:jira");
  expect(checkOwner(record, { ...request, source: "urn:portal" }, [])).toBe("urn:portal");
  expect(() => checkOwner(record, request, [])).toThrow(/belongs to source urn:portal/);
  expect(checkOwner(record, request, [{ sourcePattern: "urn:jira", tenants: ["ac*"] }])).toBe("urn:portal");
  expect(() => checkOwner(record, request, [{ sourcePattern: "urn:jira", tenants: ["other"] }])).toThrow();
});

test("an older request is stale; a replay of the last one keeps its stamp", () => {
  const record = { lastRequestId: "b", lastRequestTime: "2026-11-29T10:00:00Z", lastRequestSequence: "7" };
  expect(() => orderRequest("acme", record, { id: "a", time: "2026-11-29T09:00:00Z", sequence: 9 })).toThrow(
    /a newer request for tenant acme/,
  );
  expect(orderRequest("acme", record, { id: "b", time: "2026-11-29T10:00:00Z", sequence: 12 }).sequence).toBe(
    7,
  );
  expect(orderRequest("acme", record, { id: "c", time: "2026-11-29T10:00:00Z", sequence: 8 }).id).toBe("c");
});

test("while a retire runs, a newer request is refused, an older one is still stale, the retire's own passes", () => {
  const retiring = {
    lifecycle: "retiring",
    lastRequestId: "r",
    lastRequestTime: "2026-11-29T10:00:00Z",
    lastRequestSequence: "7",
  };
  const at = (id: string, time: string): { id: string; time: string; sequence: number } => ({
    id,
    time,
    sequence: 9,
  });
  expect(() => orderRequest("acme", retiring, at("n", "2026-11-29T11:00:00Z"))).toThrow(/being retired/);
  expect(() => orderRequest("acme", retiring, at("o", "2026-11-29T09:00:00Z"))).toThrow(/a newer request/);
  expect(orderRequest("acme", retiring, at("r", "2026-11-29T10:00:00Z")).id).toBe("r");
  // Retired: only the tombstone's place in time counts; a newer request creates the tenant anew.
  expect(
    orderRequest("acme", { ...retiring, lifecycle: "retired" }, at("n", "2026-11-29T11:00:00Z")).id,
  ).toBe("n");
});

test("a retiring or retired tenant has no state to set; deletion protection is recorded only when asked for", () => {
  const codeOf = (record: Record<string, string>): string | undefined => {
    try {
      refuseRetired("acme", record);
    } catch (err) {
      return (err as { code?: string }).code;
    }
    return undefined;
  };
  expect(codeOf({ lifecycle: "retiring" })).toBe("TENANT_RETIRING");
  expect(codeOf({ lifecycle: "retired" })).toBe("NOT_FOUND");
  expect(() => refuseRetired("acme", {})).not.toThrow();
  expect(protectionData({ protection: { deletion: true } })).toEqual({ deletionProtection: "true" });
  expect(protectionData({ protection: { deletion: false } })).toEqual({});
  expect(protectionData({})).toEqual({});
});
