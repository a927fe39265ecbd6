import { paramsName } from "./tenant-record.ts";
import { stateChangeOf, stateEnforced, stateName } from "./tenant-state.ts";

test("a tenant's state never shares a name with any tenant's parameters", () => {
  expect(stateName("acme")).toBe("tenant-acme.state");
  // Tenant names are DNS labels (no dot), so no tenant "acme.state" or "acme-state" can own it.
  expect([paramsName("acme-state"), paramsName("acme")]).not.toContain(stateName("acme"));
});

test("a cordon is proven by its own refusal; an uncordon by any answer but that one", () => {
  const cordon = "pods is forbidden: … denied request: tenant acme is cordoned: unpaid";
  expect(stateEnforced("acme", "cordoned")({ admitted: false, message: cordon })).toBe(true);
  expect(stateEnforced("acme", "cordoned")({ admitted: true })).toBe(false);
  expect(stateEnforced("acme", "cordoned")({ admitted: false, message: "exceeded quota" })).toBe(false);
  expect(stateEnforced("acme", "active")({ admitted: true })).toBe(true);
  // A full quota refuses the probe too: the cordon is still lifted.
  expect(stateEnforced("acme", "active")({ admitted: false, message: "exceeded quota: pods" })).toBe(true);
  expect(stateEnforced("acme", "active")({ admitted: false, message: cordon })).toBe(false);
});

test("a change takes its place in time from the event, and the stream sequence breaks ties", () => {
  const event = { source: "urn:portal", id: "e-1", data: { tenant: "acme", reason: "why" } };
  expect(stateChangeOf(event, 42)).toEqual({
    tenant: "acme",
    reason: "why",
    source: "urn:portal",
    id: "e-1",
    time: "",
    sequence: 42,
  });
});

test("a retiring tenant is frozen by the same policy: proven by a refusal that names its state", () => {
  const retiring = "pods is forbidden: … denied request: tenant acme is retiring: contract ended";
  expect(stateEnforced("acme", "retiring")({ admitted: false, message: retiring })).toBe(true);
  expect(stateEnforced("acme", "retiring")({ admitted: false, message: "tenant acme is cordoned: x" })).toBe(
    false,
  );
  expect(stateEnforced("acme", "retiring")({ admitted: true })).toBe(false);
});
