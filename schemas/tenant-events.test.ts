// tenant.requested and its results: valid requests pass, every naming and scoping rule refuses what it should.
import { parseEventData } from "./events.ts";
import {
  aCompleteTenantRequested,
  aTenantProvisioned,
  aTenantRejected,
  aTenantRequested,
} from "./fixtures.ts";

// The issues of a tenant request as "path: message" lines, empty when it is valid.
function problems(data: unknown): string[] {
  const result = parseEventData("tenant.requested", data);
  return result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
}

test("the minimal and the complete fixtures are valid", () => {
  expect(problems(aTenantRequested())).toEqual([]);
  expect(problems(aCompleteTenantRequested())).toEqual([]);
  expect(problems(aCompleteTenantRequested({ tenant: "globex" }))).toEqual([]);
});

test("fixtures are fresh objects", () => {
  const first = aCompleteTenantRequested();
  first.namespaces?.push("acme-stolen");
  expect(aCompleteTenantRequested().namespaces).toEqual(["acme-dev", "acme-prod"]);
});

test.each([
  "kube-system",
  "default",
  "kube",
  "openshift",
  "openshift-x",
  "icn-system",
  "a".repeat(64),
  "Acme",
  "\u0430cme", // Cyrillic 'а' in "аcme"
  "-acme",
  "acme-",
  "ac_me",
  "",
])("tenant %j is refused", (tenant) => {
  expect(problems(aTenantRequested({ tenant }))).toContainEqual(expect.stringMatching(/^tenant: tenant /));
});

describe("namespaces", () => {
  test("the tenant's own name and <tenant>-<suffix> are allowed", () => {
    expect(problems(aTenantRequested({ namespaces: ["acme", "acme-dev", "acme-team-b"] }))).toEqual([]);
  });

  test("a namespace with another prefix is refused", () => {
    expect(problems(aTenantRequested({ namespaces: ["acme-dev", "other-x"] }))).toEqual([
      'namespaces.1: namespace "other-x" is not tenant "acme"\'s: it must be "acme" or start with "acme-"',
    ]);
  });

  test("a reserved namespace is refused even when it carries the tenant's prefix", () => {
    expect(problems(aTenantRequested({ tenant: "icn", namespaces: ["icn-system"] }))).toEqual([
      expect.stringMatching(/^namespaces\.0: namespace "icn-system" is reserved/),
    ]);
  });

  test("kube-system is refused", () => {
    expect(problems(aTenantRequested({ namespaces: ["kube-system"] }))).toContainEqual(
      expect.stringMatching(/^namespaces\.0: .*reserved/),
    );
  });
});

describe("admins", () => {
  test("at least one admin is required", () => {
    expect(problems(aTenantRequested({ admins: [] }))).toEqual(["admins: admins must have at least 1 entry"]);
  });

  test("the group system:authenticated and the user system:admin are refused", () => {
    const admins = [
      { kind: "Group", name: "system:authenticated" },
      { kind: "User", name: "system:admin" },
    ] as const;
    expect(problems(aTenantRequested({ admins: [...admins] }))).toEqual([
      expect.stringMatching(/^admins\.0\.name: admin "system:authenticated" is one of Kubernetes' own/),
      expect.stringMatching(/^admins\.1\.name: admin "system:admin" is one of Kubernetes' own/),
    ]);
  });

  test("a service account in a foreign namespace is refused", () => {
    const admins = [{ kind: "ServiceAccount", name: "ci", namespace: "other" }] as const;
    expect(problems(aTenantRequested({ admins: [...admins] }))).toEqual([
      "admins.0.namespace: service account other/ci is outside the tenant; its namespace must be one of acme",
    ]);
  });

  test("a service account in one of the extra namespaces is allowed", () => {
    const admins = [{ kind: "ServiceAccount", name: "ci", namespace: "acme-ci" }] as const;
    expect(problems(aTenantRequested({ admins: [...admins], namespaces: ["acme-ci"] }))).toEqual([]);
  });
});

describe("quota and runtime classes", () => {
  test.each(["500m", "2", "1.5", "4Gi", "512M", "1e3"])("quantity %s is accepted", (cpu) => {
    expect(problems(aTenantRequested({ quota: { cpu, memory: cpu } }))).toEqual([]);
  });

  test.each(["lots", "-1", "4GB", "1 Gi", ""])("quantity %j is refused", (memory) => {
    expect(problems(aTenantRequested({ quota: { memory } }))).toEqual([
      expect.stringMatching(/^quota\.memory: quota\.memory must be a non-negative Kubernetes quantity/),
    ]);
  });

  test.each([-1, 1.5])("pods %d is refused", (pods) => {
    expect(problems(aTenantRequested({ quota: { pods } }))).toHaveLength(1);
  });

  test("a default runtime class outside allowed is refused", () => {
    const runtimeClasses = { allowed: ["kata-qemu", "kata-clh"], default: "runc" };
    expect(problems(aTenantRequested({ runtimeClasses }))).toEqual([
      'runtimeClasses.default: default runtime class "runc" is not in allowed (kata-qemu, kata-clh); add it there or pick one of them',
    ]);
  });

  test("allowed may not be empty", () => {
    const runtimeClasses = { allowed: [], default: "kata-qemu" };
    expect(problems(aTenantRequested({ runtimeClasses }))).toContainEqual(
      expect.stringMatching(/^runtimeClasses\.allowed: .*at least 1 entry/),
    );
  });
});

test.each([
  [
    "top level",
    { ...aTenantRequested(), namspaces: ["acme-dev"] },
    /^: unknown field\(s\) "namspaces"; allowed: tenant, admins/,
  ],
  ["quota", aTenantRequested({ quota: { gpu: "1" } as never }), /^quota: unknown field\(s\) "gpu"/],
  [
    "ticket",
    aTenantRequested({ ticket: { system: "jira", id: "1", url: "x" } as never }),
    /^ticket: unknown/,
  ],
  [
    "an admin",
    aTenantRequested({ admins: [{ kind: "Group", name: "g", role: "x" } as never] }),
    /^admins\.0: unknown field\(s\) "role"; allowed: kind, name$/,
  ],
])("an unknown field in %s is refused", (_where, data, message) => {
  expect(problems(data)).toEqual([expect.stringMatching(message)]);
});

test("tenant.provisioned and tenant.rejected fixtures are valid; rejected keeps an invalid tenant as text", () => {
  expect(parseEventData("tenant.provisioned", aTenantProvisioned()).success).toBe(true);
  expect(parseEventData("tenant.rejected", aTenantRejected({ tenant: "Not A Label" })).success).toBe(true);
});

test("applied objects must read Kind/name or Kind/namespace/name", () => {
  expect(parseEventData("tenant.provisioned", aTenantProvisioned({ applied: ["acme"] })).success).toBe(false);
  expect(parseEventData("tenant.provisioned", aTenantProvisioned({ applied: ["A/b/c/d"] })).success).toBe(
    false,
  );
});

test("a retire request is strict: keep only namespaces, a bounded deadline, no unknown field", () => {
  const retire = (data: unknown): boolean => parseEventData("tenant.retire-requested", data).success;
  expect(retire({ tenant: "acme" })).toBe(true);
  expect(retire({ tenant: "acme", keep: "namespaces", dryRun: true, evictionDeadlineSeconds: 0 })).toBe(true);
  expect(retire({ tenant: "acme", keep: "everything" })).toBe(false);
  expect(retire({ tenant: "acme", evictionDeadlineSeconds: 601 })).toBe(false);
  expect(retire({ tenant: "acme", force: true })).toBe(false);
  expect(retire({ tenant: "kube-system" })).toBe(false);
  expect(problems(aTenantRequested({ protection: { deletion: true } }))).toEqual([]);
  expect(problems({ ...aTenantRequested(), protection: { deletion: "yes" } })).not.toEqual([]);
});
