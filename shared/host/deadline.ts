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
  // One controller per attempt, tied to `stop` by a listener removed at the end: AbortSignal.any would
  // hang every attempt's signal on the host's long-lived one until a garbage collection.
  const controller = new AbortController();
  let fail: (reason: unknown) => void = () => {};
  const aborted = new Promise<never>((_, reject) => (fail = reject));
  const abort = (reason: unknown): void => {
    if (controller.signal.aborted) return;
    fail(reason); // before the handler hears of it: the reason wins over the AbortError it may throw
    controller.abort(reason);
  };
  const timer = setTimeout(
    () => abort(new IcnError("TIMEOUT", `the attempt passed its deadline of ${timeoutMs} ms`)),
    timeoutMs,
  );
  const onStop = (): void => abort(stop.reason);
  if (stop.aborted) onStop();
  else stop.addEventListener("abort", onStop, { once: true });
  const running = attempt(controller.signal);
  running.catch(() => undefined); // a handler that fails after its deadline is no unhandled rejection
  try {
    return await Promise.race([running, aborted]);
  } finally {
    clearTimeout(timer);
    stop.removeEventListener("abort", onStop);
  }
}
