// An attempt's signal: aborted at the deadline or on stop, and the attempt ends then, listening or not.
import { IcnError } from "../errors.ts";
import { shutdownError, withDeadline } from "./deadline.ts";

const never = (): Promise<void> => new Promise<void>(() => {});

test("a handler that finishes in time returns its value and its signal never aborts", async () => {
  let seen: AbortSignal | undefined;
  const value = await withDeadline(
    (signal) => ((seen = signal), Promise.resolve(42)),
    60_000,
    new AbortController().signal,
  );
  expect(value).toBe(42);
  expect(seen?.aborted).toBe(false);
});

test("past the deadline the signal aborts and the attempt fails as TIMEOUT, even if the handler ignores it", async () => {
  let seen: AbortSignal | undefined;
  const attempt = withDeadline((signal) => ((seen = signal), never()), 20, new AbortController().signal);
  await expect(attempt).rejects.toMatchObject({ code: "TIMEOUT", retryable: true });
  expect((seen?.reason as IcnError).code).toBe("TIMEOUT");
});

test("the deadline's reason wins over the AbortError a listening handler throws", async () => {
  const attempt = withDeadline(
    (signal) =>
      new Promise<void>((_, reject) =>
        signal.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError"))),
      ),
    20,
    new AbortController().signal,
  );
  await expect(attempt).rejects.toMatchObject({ code: "TIMEOUT" });
});

test("stopping aborts the attempt with the stop's reason", async () => {
  const stop = new AbortController();
  const attempt = withDeadline(() => never(), 60_000, stop.signal);
  stop.abort(shutdownError());
  await expect(attempt).rejects.toMatchObject({ code: "SHUTDOWN" });
});
