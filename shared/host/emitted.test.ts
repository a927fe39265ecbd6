// A result's data as its cause's outcome keeps it: whole when small, cut with a count when not.
import { aTenantProvisioned } from "../../schemas/fixtures.ts";
import { isResultOrigin, summarizeData } from "./emitted.ts";

describe("summarizeData", () => {
  it("keeps a result's data whole when it is small", () => {
    const data = aTenantProvisioned();
    expect(summarizeData(data)).toEqual(data);
  });

  it("cuts long lists and strings and says how much was left out", () => {
    const applied = Array.from({ length: 45 }, (_, i) => `NetworkPolicy/acme-${i}/deny-other-tenants`);
    const summary = summarizeData({ tenant: "acme", reason: "r".repeat(500), applied }) as {
      tenant: string;
      reason: string;
      applied: string[];
    };
    expect(summary.tenant).toBe("acme");
    expect(summary.reason).toHaveLength(200);
    expect(summary.applied).toHaveLength(21);
    expect(summary.applied.slice(0, 20)).toEqual(applied.slice(0, 20));
    expect(summary.applied[20]).toBe("… 25 more");
  });

  it("stays small however large the data", () => {
    const huge = Object.fromEntries(
      Array.from({ length: 200 }, (_, i) => [`k${i}`, { nested: "v".repeat(300), list: [1, 2, 3] }]),
    );
    expect(JSON.stringify(summarizeData(huge)).length).toBeLessThan(8192);
    expect(summarizeData("x".repeat(10_000))).toHaveLength(200);
  });
});

describe("isResultOrigin", () => {
  it("tells a result's origin from an outcome", () => {
    const event = { id: "r", source: "urn:icn/fn", type: "t" };
    expect(isResultOrigin({ event, function: "fn", cause: event, updatedAt: "" })).toBe(true);
    expect(isResultOrigin({ event, function: "fn", state: "succeeded", results: [] })).toBe(false);
  });
});
