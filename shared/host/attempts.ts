// Which try at the handler a delivery is. JetStream counts deliveries, and a delivery lost with its
// host (or its lease) counts there too; the host counts recorded failures instead, so a crash loop
// does not spend a healthy event's attempts. A message that kills its host every time must still
// end, so deliveries are capped too, at a multiple of the attempts.
import type { RetryPolicy } from "../config.ts";
import { IcnError } from "../errors.ts";
import type { Outcome } from "./outcomes.ts";

export const DELIVERIES_PER_ATTEMPT = 3;

/**
 * The attempt a redelivery is: one after the last failure recorded, the same as an attempt that was
 * still running (`received`) when its host or lease was lost, or the first if nothing was recorded.
 */
export function attemptAfter(prior: Outcome | undefined): number {
  if (prior?.state === "retrying") return prior.attempts + 1;
  if (prior?.state === "received") return prior.attempts;
  return 1;
}

/** The error that ends a message delivered too often without finishing, if this one is. */
export function crashLoop(deliveries: number, retry: RetryPolicy): IcnError | undefined {
  const cap = retry.attempts * DELIVERIES_PER_ATTEMPT;
  if (deliveries <= cap) return undefined;
  return new IcnError(
    "CRASH_LOOP",
    `delivered ${deliveries} times (the cap is ${cap}) without finishing: each delivery was lost with its host or its lease`,
  );
}
