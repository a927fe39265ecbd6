// What the demo waits for on the bus: a function's outcome for an event, settled.
import type { Outcome } from "../../shared/host/outcomes.ts";
import type { DemoRuntime } from "./runtime.ts";
import type { Wait } from "./steps.ts";

export async function settledOutcome(
  wait: Wait,
  rt: DemoRuntime,
  event: { id: string; source: string },
  fn: string,
): Promise<Outcome> {
  return wait(`${fn} to settle event ${event.id}`, async () => {
    const o = await rt.host.outcomes.get(event, fn);
    return o && ["succeeded", "rejected", "dead-lettered"].includes(o.state) ? o : undefined;
  });
}

/** Settled and succeeded; anything else fails the step with the function's own reason. */
export async function settled(
  wait: Wait,
  rt: DemoRuntime,
  event: { id: string; source: string },
  fn: string,
): Promise<Outcome> {
  const outcome = await settledOutcome(wait, rt, event, fn);
  if (outcome.state !== "succeeded")
    throw new Error(`${fn} ${outcome.state} event ${event.id}: ${outcome.error?.message ?? ""}`);
  return outcome;
}
