import { attemptAfter, crashLoop, DELIVERIES_PER_ATTEMPT } from "./attempts.ts";
import type { Outcome } from "./outcomes.ts";

const outcome = (state: Outcome["state"], attempts: number): Outcome => ({
  event: { id: "1", source: "urn:test", type: "t" },
  function: "f",
  state,
  attempts,
  results: [],
  updatedAt: "2026-11-27T00:00:00Z",
});

describe("attemptAfter", () => {
  it("is one after the last recorded failure", () => {
    expect(attemptAfter(outcome("retrying", 3))).toBe(4);
  });

  it("is the attempt that was still running when its delivery was lost, not a new one", () => {
    expect(attemptAfter(outcome("received", 3))).toBe(3);
  });

  it("is the first attempt when no failure was recorded (the earlier deliveries were lost)", () => {
    expect(attemptAfter(undefined)).toBe(1);
  });
});

describe("crashLoop", () => {
  const retry = { attempts: 4, backoffMs: [10] };
  const cap = retry.attempts * DELIVERIES_PER_ATTEMPT;

  it("lets a message be delivered up to the cap", () => {
    expect(crashLoop(cap, retry)).toBeUndefined();
  });

  it("ends it past the cap with CRASH_LOOP, which is not retried", () => {
    const err = crashLoop(cap + 1, retry);
    expect(err?.code).toBe("CRASH_LOOP");
    expect(err?.retryable).toBe(false);
    expect(err?.message).toMatch(`delivered ${cap + 1} times (the cap is ${cap})`);
  });
});
