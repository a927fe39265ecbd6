// Every way a failed delivery can end, decided without a message, a stream or a clock.
import { IcnError, permanent } from "../errors.ts";
import { shutdownError } from "./deadline.ts";
import { decide } from "./decide.ts";

const policy = { attempts: 4, backoffMs: [100, 500, 2000] };

test("a permanent error is rejected on any attempt, with its code and message", () => {
  const err = permanent("POLICY_REFUSED", "closed today");
  for (const attempt of [1, 4, 9])
    expect(decide(err, attempt, policy)).toEqual({
      action: "reject",
      code: "POLICY_REFUSED",
      message: "closed today",
      error: err,
    });
});

test("a transient error with attempts left is retried after the policy's backoff for that attempt", () => {
  const err = new IcnError("KUBE_UNAVAILABLE", "down");
  expect(decide(err, 1, policy)).toEqual({
    action: "retry",
    code: "KUBE_UNAVAILABLE",
    message: "down",
    delayMs: 100,
  });
  expect(decide(err, 2, policy)).toMatchObject({ action: "retry", delayMs: 500 });
  // The last delay repeats.
  expect(decide(err, 3, policy)).toMatchObject({ action: "retry", delayMs: 2000 });
});

test("a transient error on the last attempt (or past it) is dead-lettered", () => {
  const err = new IcnError("TIMEOUT", "slow");
  expect(decide(err, 4, policy)).toEqual({ action: "dead-letter", code: "TIMEOUT", message: "slow" });
  expect(decide(err, 5, policy)).toMatchObject({ action: "dead-letter" });
});

test("an unexpected error (not an IcnError) is transient, reported as INTERNAL", () => {
  expect(decide(new TypeError("x is undefined"), 1, policy)).toEqual({
    action: "retry",
    code: "INTERNAL",
    message: "x is undefined",
    delayMs: 100,
  });
  expect(decide("a thrown string", 4, policy)).toEqual({
    action: "dead-letter",
    code: "INTERNAL",
    message: "a thrown string",
  });
});

test("CRASH_LOOP, an undecodable message and a receiver's refusal are dead-lettered at once, attempts left or not", () => {
  const loop = new IcnError("CRASH_LOOP", "delivered 13 times");
  expect(decide(loop, 1, policy)).toEqual({
    action: "dead-letter",
    code: "CRASH_LOOP",
    message: "delivered 13 times",
  });
  expect(decide(permanent("BAD_EVENT", "no ce-id"), 1, policy)).toMatchObject({
    action: "dead-letter",
    code: "BAD_EVENT",
  });
  expect(decide(new IcnError("WEBHOOK_REJECTED", "HTTP 410"), 1, policy)).toMatchObject({
    action: "dead-letter",
    code: "WEBHOOK_REJECTED",
  });
});

test("a wait the other side asked for (Retry-After) lengthens the backoff, never shortens it", () => {
  const asked = (ms: number): IcnError =>
    new IcnError("WEBHOOK_UNAVAILABLE", "HTTP 429", { retryAfterMs: ms });
  expect(decide(asked(30_000), 1, policy)).toMatchObject({ action: "retry", delayMs: 30_000 });
  expect(decide(asked(10), 2, policy)).toMatchObject({ action: "retry", delayMs: 500 });
  expect(decide(asked(30_000), 4, policy)).toMatchObject({ action: "dead-letter" });
});

test("a host that stopped mid-attempt releases the message: no attempt spent, whatever the count", () => {
  expect(decide(shutdownError(), 4, policy)).toEqual({
    action: "release",
    code: "SHUTDOWN",
    message: shutdownError().message,
  });
});
