// What becomes of a delivery that failed: the decision alone, as a pure function, so every consumer
// (a function's handler, a webhook) retries, rejects and dead-letters the same way.
import { backoffFor, type RetryPolicy } from "../config.ts";
import { describeError, endsInDeadLetters, IcnError, type ErrorCode } from "../errors.ts";

export type Decision =
  /** Refused for good: the outcome says why, the message is acked. */
  | { action: "reject"; code: ErrorCode; message: string; error: IcnError }
  /** Worth another attempt, after `delayMs`. */
  | { action: "retry"; code: ErrorCode; message: string; delayMs: number }
  /** Ends here: moved to the dead-letter stream, then terminated. */
  | { action: "dead-letter"; code: ErrorCode; message: string }
  /** Not the event's failure (its host stopped): back to the stream now, nothing recorded, no attempt spent. */
  | { action: "release"; code: ErrorCode; message: string };

/**
 * `attempt` is this try (1 for the first); the policy's `attempts` is the last one allowed. Anything
 * that is not a known permanent error (a plain Error, a network failure) counts as transient.
 * A success needs no decision: it is acked once its outcome is stored.
 */
export function decide(err: unknown, attempt: number, policy: RetryPolicy): Decision {
  const { code, message } = describeError(err);
  if (code === "SHUTDOWN") return { action: "release", code, message };
  if (endsInDeadLetters(code)) return { action: "dead-letter", code, message };
  if (err instanceof IcnError && !err.retryable) return { action: "reject", code, message, error: err };
  if (attempt >= policy.attempts) return { action: "dead-letter", code, message };
  // A receiver that said when to come back (Retry-After) is not asked sooner.
  const asked = err instanceof IcnError ? (err.retryAfterMs ?? 0) : 0;
  return { action: "retry", code, message, delayMs: Math.max(backoffFor(policy, attempt), asked) };
}
