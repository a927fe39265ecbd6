// The naming rules on their own: labels, reserved names, tenant namespaces and admin identities.
import {
  adminSchema,
  isDns1123Label,
  isDns1123Subdomain,
  isReservedName,
  isSystemIdentity,
  isTenantNamespace,
  tenantNameSchema,
  tenantNamespaces,
} from "./names.ts";

// "аcme" starts with CYRILLIC SMALL LETTER A: it looks like "acme" and must not pass for it.
const CYRILLIC_ACME = "\u0430cme";

describe("isDns1123Label", () => {
  test.each(["a", "acme", "acme-dev", "0acme", "a--b", "a".repeat(63)])("accepts %s", (name) => {
    expect(isDns1123Label(name)).toBe(true);
  });

  test.each(["", "-acme", "acme-", "Acme", CYRILLIC_ACME, "a_b", "a.b", "a b", "a".repeat(64)])(
    "refuses %j",
    (name) => {
      expect(isDns1123Label(name)).toBe(false);
    },
  );
});

describe("isDns1123Subdomain", () => {
  test.each(["worker-1", "worker-1.example.com", "a".repeat(63)])("accepts %s", (name) => {
    expect(isDns1123Subdomain(name)).toBe(true);
  });

  test.each(["", "Worker", "worker..1", ".worker", "worker.", `${"a".repeat(63)}.${"b".repeat(190)}`])(
    "refuses %j",
    (name) => {
      expect(isDns1123Subdomain(name)).toBe(false);
    },
  );
});

describe("isReservedName", () => {
  test.each(["kube", "kube-system", "kube-public", "default", "openshift", "openshift-x", "icn-system"])(
    "%s is reserved",
    (name) => {
      expect(isReservedName(name)).toBe(true);
    },
  );

  test.each(["acme", "kubernetes", "kubex", "defaults", "icn", "icn-systems", "my-kube"])(
    "%s is free",
    (name) => {
      expect(isReservedName(name)).toBe(false);
    },
  );
});

describe("isTenantNamespace", () => {
  test.each([
    ["acme", "acme", true],
    ["acme-dev", "acme", true],
    ["acme-", "acme", false],
    ["acmedev", "acme", false],
    ["other-x", "acme", false],
    ["acm", "acme", false],
  ])("%s belongs to %s: %s", (namespace, tenant, expected) => {
    expect(isTenantNamespace(namespace, tenant)).toBe(expected);
  });
});

test("tenantNamespaces puts the tenant's own namespace first, once", () => {
  expect(tenantNamespaces("acme", ["acme-dev", "acme", "acme-dev"])).toEqual(["acme", "acme-dev"]);
  expect(tenantNamespaces("acme")).toEqual(["acme"]);
});

test("isSystemIdentity spots Kubernetes' own users and groups", () => {
  expect(isSystemIdentity("system:authenticated")).toBe(true);
  expect(isSystemIdentity("system:serviceaccount:kube-system:default")).toBe(true);
  expect(isSystemIdentity("alice@example.com")).toBe(false);
});

describe("tenantNameSchema messages say what is wrong and what is allowed", () => {
  const messageFor = (tenant: string): string =>
    tenantNameSchema.safeParse(tenant).error?.issues[0]?.message ?? "";

  test("a reserved name lists the reserved names", () => {
    expect(messageFor("kube-system")).toMatch(/"kube-system" is reserved .*kube-\*.*default.*icn-system/);
  });

  test("a malformed name explains DNS-1123", () => {
    expect(messageFor("Acme")).toMatch(/DNS-1123 label: lowercase ASCII letters/);
    expect(messageFor(CYRILLIC_ACME)).toMatch(/DNS-1123 label/);
  });

  test("an overlong name gives the limit once", () => {
    const issues = tenantNameSchema.safeParse("a".repeat(64)).error?.issues ?? [];
    expect(issues.map((issue) => issue.message)).toEqual([expect.stringMatching(/at most 63 characters/)]);
  });
});

describe("adminSchema", () => {
  test.each([
    { kind: "User", name: "alice@example.com" },
    { kind: "Group", name: "acme-admins" },
    { kind: "ServiceAccount", name: "deployer", namespace: "acme" },
  ])("accepts %j", (admin) => {
    expect(adminSchema.safeParse(admin).success).toBe(true);
  });

  test.each([
    [{ kind: "Group", name: "system:authenticated" }, /Kubernetes' own identities/],
    [{ kind: "User", name: "system:admin" }, /Kubernetes' own identities/],
    [{ kind: "User", name: "system:serviceaccount:kube-system:default" }, /Kubernetes' own identities/],
    [{ kind: "User", name: "alice", namespace: "acme" }, /only ServiceAccount admins have a namespace/],
    [{ kind: "ServiceAccount", name: "deployer" }, /namespace is required/],
    [{ kind: "ServiceAccount", name: "deployer", namespace: "kube-system" }, /reserved/],
    [{ kind: "Robot", name: "r2d2" }, /one of User, Group, ServiceAccount/],
    [{ kind: "User", name: "" }, /must not be empty/],
    [{ kind: "User", name: "alice\nINFO forged" }, /control characters/],
  ])("refuses %j", (admin, message) => {
    const result = adminSchema.safeParse(admin);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.message).join("\n")).toMatch(message);
  });
});
