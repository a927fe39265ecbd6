import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { KubernetesObject } from "@kubernetes/client-node";
import { loadAll } from "js-yaml";
import { repoRoot } from "../../deploy/local/paths.ts";
import { GUARD_POLICY, guardPolicies } from "./guard-policies.ts";

const PLATFORM = ["system:serviceaccount:icn-system:provision-tenant", "system:serviceaccount:icn-system:x"];

interface PolicySpec {
  matchConstraints: { namespaceSelector: unknown };
  matchConditions: { name: string; expression: string }[];
  failurePolicy: string;
}
const policies = (identities = PLATFORM): (KubernetesObject & { spec: PolicySpec })[] =>
  guardPolicies(identities).filter((o) => o.kind?.endsWith("Policy")) as never;
const bindings = (): (KubernetesObject & { spec: { policyName: string; validationActions?: string[] } })[] =>
  guardPolicies(PLATFORM).filter((o) => o.kind?.endsWith("Binding")) as never;

test("one policy and one binding for each guard", () => {
  expect(
    policies()
      .map((p) => p.metadata?.name)
      .sort(),
  ).toEqual(Object.values(GUARD_POLICY).sort());
  for (const policy of policies())
    expect(bindings()).toContainEqual(
      expect.objectContaining({
        kind: `${policy.kind}Binding`,
        spec: expect.objectContaining({ policyName: policy.metadata?.name }) as unknown,
      }),
    );
});

test("every guard covers every tenant namespace, fails closed and refuses rather than warns", () => {
  for (const policy of policies()) {
    expect(policy.spec.matchConstraints.namespaceSelector).toEqual({
      matchExpressions: [{ key: "icn.akraino.org/tenant", operator: "Exists" }],
    });
    expect(policy.spec.failurePolicy).toBe("Fail");
  }
  for (const binding of bindings().filter((b) => b.kind === "ValidatingAdmissionPolicyBinding"))
    expect(binding.spec.validationActions).toEqual(["Deny"]);
});

test("every guard lets through exactly the same identities: the platform's and Kubernetes' cleanup", () => {
  const exemptions = policies().map((p) => p.spec.matchConditions[0]);
  expect(new Set(exemptions.map((e) => JSON.stringify(e))).size).toBe(1);
  const names = [...(exemptions[0]?.expression ?? "").matchAll(/'([^']+)'/g)].map((m) => m[1]);
  expect(names).toEqual([
    ...PLATFORM,
    "system:serviceaccount:kube-system:namespace-controller",
    "system:serviceaccount:kube-system:generic-garbage-collector",
  ]);
  expect(exemptions[0]?.expression).toMatch(/^!\(request\.userInfo\.username in \[/);
});

test("an identity with a quote cannot end the CEL list early", () => {
  const [policy] = policies(["a', 'mallory"]);
  expect(policy?.spec.matchConditions[0]?.expression).toContain(String.raw`'a\', \'mallory'`);
});

test("provision-tenant's ClusterRole lets it apply every guard by name", () => {
  const text = readFileSync(join(repoRoot, "deploy/base/rbac/provision-tenant.yaml"), "utf8");
  const role = (loadAll(text) as KubernetesObject[]).find((o) => o.kind === "ClusterRole") as {
    rules: { resources: string[]; resourceNames?: string[]; verbs: string[] }[];
  };
  for (const policy of policies()) {
    const resource = (policy.kind ?? "").toLowerCase().replace(/y$/, "ies");
    const rule = role.rules.find((r) => r.resources.includes(resource));
    expect(rule?.resourceNames).toContain(policy.metadata?.name);
    expect(rule?.verbs).toEqual(expect.arrayContaining(["create", "patch"]));
  }
});
