// One attempt's own signal: aborted at its deadline, or when the host stops waiting for it. The attempt
// ends then, whether or not the handler listens: a deadline the handler could ignore would be no deadline.
import { IcnError } from "../errors.ts";

/** Why the host's signal aborts when a drain outlives its deadline (see host.ts). */
export const shutdownError = (): IcnError =>
  new IcnError("SHUTDOWN", "the host stopped before the attempt finished; another delivery takes it");

/**
 * Runs `attempt` with a signal aborted after `timeoutMs` (the attempt then fails as TIMEOUT) or when
 * `stop` aborts (it fails with `stop`'s reason). A handler still running then is left to notice its
 * signal; what it does after that no longer settles the message.
 */
export async function withDeadline<T>(
  attempt: (signal: AbortSignal) => Promise<T>,
  timeoutMs: number,
  stop: AbortSignal,
): Promise<T> {
  const deadline = new AbortController();
  const timer = setTimeout(
    () => deadline.abort(new IcnError("TIMEOUT", `the attempt passed its deadline of ${timeoutMs} ms`)),
    timeoutMs,
  );
  const signal = AbortSignal.any([stop, deadline.signal]);
  let onAbort = (): void => {};
  // Listening before the handler does: the deadline's reason wins over the AbortError the handler sees.
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason as Error);
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  const running = attempt(signal);
  running.catch(() => undefined); // a handler that fails after its deadline is no unhandled rejection
  try {
    return await Promise.race([running, aborted]);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener("abort", onAbort);
  }
}
