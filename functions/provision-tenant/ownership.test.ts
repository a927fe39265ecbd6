import type { KubernetesObject } from "@kubernetes/client-node";
import { checkOwner, namespaceRefusal, orderRequest } from "./ownership.ts";

const aNamespace = (name: string, labels: Record<string, string> = {}): KubernetesObject => ({
  apiVersion: "v1",
  kind: "Namespace",
  metadata: { name, labels },
});

test("a namespace is taken only when it is the tenant's already or an operator approved its adoption", () => {
  expect(namespaceRefusal(aNamespace("acme", { "icn.akraino.org/tenant": "acme" }), "acme")).toBeUndefined();
  expect(namespaceRefusal(aNamespace("acme", { "icn.akraino.org/adopt": "acme" }), "acme")).toBeUndefined();
  const unapproved = namespaceRefusal(aNamespace("nats"), "nats");
  expect(unapproved).toMatchObject({ code: "ADOPTION_NOT_APPROVED" });
  expect(unapproved?.message).toContain("kubectl label namespace nats icn.akraino.org/adopt=nats");
  expect(namespaceRefusal(aNamespace("acme", { "icn.akraino.org/adopt": "evil" }), "acme")).toMatchObject({
    code: "ADOPTION_NOT_APPROVED",
  });
});

test("a namespace held by another tenant is refused, naming the holder and what the requester can do", () => {
  const refusal = namespaceRefusal(aNamespace("x-prod", { "icn.akraino.org/tenant": "x" }), "x-prod");
  expect(refusal).toMatchObject({ code: "NAMESPACE_TAKEN" });
  expect(refusal?.message).toMatch(/belongs to tenant x .*"x-…" namespaces.*choose another tenant name/);
});

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
