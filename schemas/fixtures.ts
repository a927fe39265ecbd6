// Fixture factories: every call returns a fresh object, so no test can change another's data.

export function aTenantRequested(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { tenant: "acme", admins: [{ kind: "User", name: "alice" }], ...overrides };
}

export function aNodeJoined(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { node: "worker-1", ...overrides };
}

export function aPodUnsafe(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { namespace: "acme", pod: "legacy-0", reason: "runs under runc", ...overrides };
}
