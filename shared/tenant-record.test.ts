import { checkOwner, orderRequest } from "./tenant-record.ts";

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
