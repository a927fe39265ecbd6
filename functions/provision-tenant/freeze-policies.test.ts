import { freezePolicies, RELEASED_POLICY } from "./freeze-policies.ts";

const [cordon, released] = freezePolicies(["system:serviceaccount:icn-system:provision-tenant"]) as {
  metadata: { name: string };
  spec: {
    matchConstraints: {
      resourceRules: { resources: string[]; operations: string[] }[];
      namespaceSelector?: unknown;
    };
    matchConditions: { expression: string }[];
    validations: { expression: string }[];
  };
}[];

test.each([
  ["cordon", cordon],
  ["released", released],
])("the %s freeze covers creating a pod and every way of changing one", (_, policy) => {
  const rules = policy!.spec.matchConstraints.resourceRules;
  expect(rules).toEqual([
    expect.objectContaining({ resources: ["pods"], operations: ["CREATE", "UPDATE"] }),
    expect.objectContaining({
      resources: ["pods/ephemeralcontainers", "pods/resize"],
      operations: ["UPDATE"],
    }),
  ]);
});

test.each([
  ["cordon", cordon],
  ["released", released],
])("the %s freeze lets the platform through, except its probe of that very policy", (scope, policy) => {
  const [condition] = policy!.spec.matchConditions;
  expect(condition?.expression).toContain("system:serviceaccount:icn-system:provision-tenant");
  expect(condition?.expression).toContain(`== '${scope}'`);
});

test("a released namespace is frozen by its label, cluster-wide: no tenant binding selects it any more", () => {
  expect(released?.metadata.name).toBe(RELEASED_POLICY);
  expect(released?.spec.matchConstraints.namespaceSelector).toEqual({
    matchExpressions: [{ key: "icn.akraino.org/released-from", operator: "Exists" }],
  });
  // Nothing is let through but a pod on its way out losing its finalizers.
  expect(released?.spec.validations[0]?.expression).toMatch(
    /^request.operation == 'UPDATE' && has\(oldObject.metadata.deletionTimestamp\)/,
  );
});
