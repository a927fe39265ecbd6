// A function is data: what it listens to, what it may emit, and what it does. The host runs it.
import type { CloudEvent } from "cloudevents";
import type { EventData, EventName } from "../schemas/events.ts";
import type { RetryPolicy } from "./config.ts";
import type { IcnError } from "./errors.ts";
import type { Kube } from "./kube.ts";
import type { Logger } from "./logging.ts";

/** An event whose data has been validated against its schema: present and typed. */
export type ValidEvent<N extends EventName> = CloudEvent<EventData<N>> & { readonly data: EventData<N> };

export type Emit = <N extends EventName>(name: N, data: EventData<N>) => Promise<void>;

export interface HandlerContext {
  kube: Kube;
  log: Logger;
  emit: Emit;
  /**
   * Aborted when the attempt passes its deadline (`timeoutMs`; it then fails as TIMEOUT and is retried),
   * or when the host stops and this handler outlives the drain deadline. The attempt ends at that moment
   * whether the handler listens or not: every apiserver request made through `kube` carries it, and
   * `emit` publishes nothing after it. Pass it to any other call that takes one.
   */
  signal: AbortSignal;
  /** This try at the handler: 1, plus one per failure recorded; a delivery lost with its host is no failure. */
  attempt: number;
  /** JetStream's delivery count: more than 1 when an earlier delivery failed, or died with its host. */
  deliveries: number;
  /** The message's stream sequence: orders events whose producer times are equal. */
  sequence: number;
  /** Set when the event was replayed or redriven to this function alone. */
  replay: boolean;
}

export interface FunctionDefinition<N extends EventName = EventName> {
  name: string;
  on: N;
  emits: readonly EventName[];
  /** Result emitted when the event is refused for good (bad input, policy). */
  rejects?: EventName;
  /** Data of the `rejects` result; the host adds `code`, `reason` and the trigger's `ticket`. */
  rejection?(event: CloudEvent<unknown>, error: IcnError): Record<string, unknown>;
  concurrency?: number;
  retry?: RetryPolicy;
  /** Each attempt's deadline in milliseconds; DEFAULT_TIMEOUT_MS when unset. */
  timeoutMs?: number;
  // Method syntax: a definition for one event is usable where any definition is expected.
  handle(event: ValidEvent<N>, ctx: HandlerContext): Promise<void>;
}

export type AnyFunction = FunctionDefinition<EventName>;

/** Room for a few apiserver calls, each of which client-node lets run for up to its own timeout. */
export const DEFAULT_TIMEOUT_MS = 30_000;

const FUNCTION_NAME = /^[a-z][a-z0-9-]{0,40}$/;

/** Records a definition; checks only what would otherwise fail later and far away. */
export function defineFunction<N extends EventName>(
  definition: FunctionDefinition<N>,
): Readonly<FunctionDefinition<N>> {
  if (!FUNCTION_NAME.test(definition.name))
    throw new Error(`function name "${definition.name}" must be a lowercase token`);
  if (definition.rejects && !definition.emits.includes(definition.rejects))
    throw new Error(`${definition.name}: rejects "${definition.rejects}" must be listed in emits`);
  if (definition.concurrency !== undefined && definition.concurrency < 1)
    throw new Error(`${definition.name}: concurrency must be at least 1`);
  if (
    definition.timeoutMs !== undefined &&
    !(Number.isInteger(definition.timeoutMs) && definition.timeoutMs >= 1)
  )
    throw new Error(`${definition.name}: timeoutMs must be a positive integer`);
  return Object.freeze({ ...definition });
}
