// What the delivery core runs: a function's definition, or an event sink shaped like one (a webhook).
// The core decodes, decides and settles the same way for both; only taking and handling the event differ.
import type { CloudEvent } from "cloudevents";
import { eventType, parseEventData, type EventName } from "../../schemas/events.ts";
import { permanent } from "../errors.ts";
import type { AnyFunction, HandlerContext, ValidEvent } from "../function.ts";

export interface DeliveryTarget extends Pick<
  AnyFunction,
  "name" | "emits" | "rejects" | "rejection" | "concurrency" | "retry" | "timeoutMs"
> {
  /** The event as the handler takes it; a permanent error when this target does not take it. */
  accept(event: CloudEvent<unknown>): CloudEvent<unknown>;
  handle(event: CloudEvent<unknown>, ctx: HandlerContext): Promise<void>;
}

/** A function takes only its own event type, with data its schema accepts. */
export function functionTarget(fn: AnyFunction): DeliveryTarget {
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
      // The schemas neither transform nor default, so the data they accepted is the event's own.
      return event;
    },
    handle: (event, ctx) => fn.handle(event as ValidEvent<EventName>, ctx),
  };
}
