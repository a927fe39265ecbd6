// What the delivery core runs: a function's definition, or an event sink shaped like one (a webhook).
// The core decodes, decides and settles the same way for both; only taking and handling the event differ.
import type { CloudEvent } from "cloudevents";
import { eventType, parseEventData, type EventName } from "../../schemas/events.ts";
import { permanent } from "../errors.ts";
import type { AnyFunction, FunctionDefinition, HandlerContext, ValidEvent } from "../function.ts";

export interface DeliveryTarget<E extends CloudEvent<unknown> = CloudEvent<unknown>> extends Pick<
  AnyFunction,
  "name" | "emits" | "rejects" | "rejection" | "concurrency" | "retry" | "timeoutMs"
> {
  /** The event as the handler takes it, typed; a permanent error when this target does not take it. */
  accept(event: CloudEvent<unknown>): E;
  // Method syntax: a target of one event type is usable where any target is expected.
  handle(event: E, ctx: HandlerContext): Promise<void>;
}

/** A function takes only its own event type, with data its schema accepts. */
export function functionTarget<N extends EventName>(
  fn: FunctionDefinition<N>,
): DeliveryTarget<ValidEvent<N>> {
  const expected = eventType(fn.on);
  return {
    ...fn,
    accept(event) {
      if (event.type !== expected)
        throw permanent("WRONG_EVENT_TYPE", `${fn.name} handles ${expected}, got ${event.type}`);
      const parsed = parseEventData(fn.on, event.data);
      if (!parsed.success) {
        const fields = parsed.error.issues
          .map((i) => `${i.path.join(".") || "data"}: ${i.message}`)
          .join("; ");
        throw permanent("SCHEMA_INVALID", `data does not match ${fn.on}: ${fields}`);
      }
      // The schemas neither transform nor default, so the data they accepted is the event's own: typed now.
      return event as ValidEvent<N>;
    },
    handle: (event, ctx) => fn.handle(event, ctx),
  };
}
