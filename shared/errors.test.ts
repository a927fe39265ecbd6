import { classifyKubeError, describeError, IcnError, isTransient, permanent } from "./errors.ts";

const apiError = (code: number, message = "boom"): Error & { code: number; body: string } =>
  Object.assign(new Error(`HTTP-Code: ${code}`), { code, body: JSON.stringify({ message }) });

describe("classifyKubeError", () => {
  test.each([
    [400, "KUBE_REJECTED", false],
    [403, "KUBE_FORBIDDEN", false],
    [404, "NOT_FOUND", false],
    [422, "KUBE_REJECTED", false],
    [409, "KUBE_CONFLICT", true],
    [429, "KUBE_THROTTLED", true],
    [500, "KUBE_UNAVAILABLE", true],
    [503, "KUBE_UNAVAILABLE", true],
  ])("HTTP %i is %s (retryable: %s)", (status, code, retryable) => {
    const err = classifyKubeError(apiError(status, "the reason"), "apply Namespace/acme");
    expect(err).toMatchObject({ code, retryable });
    expect(err.message).toBe(`apply Namespace/acme: HTTP ${status}: the reason`);
  });

  test("a refused connection is transient", () => {
    const err = classifyKubeError(
      new TypeError("fetch failed", { cause: Object.assign(new Error("x"), { code: "ECONNREFUSED" }) }),
      "read Node/n",
    );
    expect(err).toMatchObject({ code: "KUBE_UNAVAILABLE", retryable: true });
  });

  test("an IcnError passes through unchanged", () => {
    const original = permanent("POLICY_REFUSED", "no");
    expect(classifyKubeError(original, "x")).toBe(original);
  });
});

test("unknown errors are transient; typed permanent errors are not", () => {
  expect(isTransient(new Error("surprise"))).toBe(true);
  expect(isTransient(new IcnError("SCHEMA_INVALID", "bad"))).toBe(false);
  expect(describeError("text")).toEqual({ code: "INTERNAL", message: "text" });
});
