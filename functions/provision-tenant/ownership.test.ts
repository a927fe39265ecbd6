import type { KubernetesObject } from "@kubernetes/client-node";
import { namespaceRefusal } from "./ownership.ts";

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
