// The context a handler gets: kube, a child logger, emit (results carry causeid and ticket), signal, attempt.
import type { CloudEvent } from "cloudevents";
import type { JetStreamClient } from "@nats-io/jetstream";
import { parseEventData, type EventName } from "../../schemas/events.ts";
import type { RuntimeConfig } from "../config.ts";
import { IcnError } from "../errors.ts";
import { newEvent, publishEvent, stableId } from "../events.ts";
import type { Emit, HandlerContext } from "../function.ts";
import type { Kube } from "../kube.ts";
import type { Logger } from "../logging.ts";
import { resultSource, summarizeData, type EmittedResult } from "./emitted.ts";
import type { DeliveryTarget } from "./target.ts";

export interface ContextDeps {
  fn: Pick<DeliveryTarget, "name" | "emits">;
  config: RuntimeConfig;
  js: JetStreamClient;
  kube: Kube;
  log: Logger;
  /** Aborted when the host gives up waiting for its handlers (see host.ts). */
  signal: AbortSignal;
}

function ticketOf(event: CloudEvent<unknown>): unknown {
  const data = event.data as { ticket?: unknown } | undefined;
  return data && typeof data === "object" ? data.ticket : undefined;
}

/** The trigger's ticket travels with every result, when the result's schema accepts it. */
function withTicket(name: EventName, data: object, ticket: unknown): object {
  if (ticket === undefined || "ticket" in data) return data;
  const candidate = { ...data, ticket };
  return parseEventData(name, candidate).success ? candidate : data;
}

/**
 * Where a handler's results go: `results` collects their ids, `emitted` (when given) their types and
 * data for the outcome record; an aborted `signal` publishes no more.
 */
export interface EmitScope {
  replayId?: string;
  results: string[];
  emitted?: EmittedResult[];
  signal?: AbortSignal;
}

export function makeEmit(deps: ContextDeps, trigger: CloudEvent<unknown>, scope: EmitScope): Emit {
  const { replayId, results, emitted, signal } = scope;
  return async (name, data) => {
    // An attempt past its deadline has been settled already: a late result would contradict it.
    signal?.throwIfAborted();
    if (!deps.fn.emits.includes(name))
      throw new IcnError("INTERNAL", `${deps.fn.name} may not emit ${name}: add it to emits`);
    const body = withTicket(name, data, ticketOf(trigger));
    const parsed = parseEventData(name, body);
    if (!parsed.success)
      throw new IcnError("INTERNAL", `${deps.fn.name} built an invalid ${name}: ${parsed.error.message}`);
    // Stable per (function, trigger, replay), whatever the result: a retried handler's repeat is dropped by
    // JetStream, and so is a different answer from a redelivery that finds the world changed since its first
    // attempt emitted (provisioned, then stale once a newer request landed): one result per trigger.
    const id = stableId(deps.fn.name, trigger.source, trigger.id, replayId ?? "");
    const event = newEvent({
      name,
      id,
      source: resultSource(deps.config.source, deps.fn.name),
      data: parsed.data,
      extensions: { causeid: trigger.id },
    });
    await publishEvent(deps.js, deps.config.prefix, event);
    results.push(id);
    emitted?.push({ id, type: event.type, data: summarizeData(parsed.data) });
  };
}

export function makeContext(
  deps: ContextDeps,
  trigger: CloudEvent<unknown>,
  meta: {
    attempt: number;
    deliveries: number;
    sequence: number;
    replayId?: string;
    results: string[];
    emitted?: EmittedResult[];
    /** This attempt's: its deadline, or the host's stop (see deadline.ts). */
    signal: AbortSignal;
  },
): HandlerContext {
  let log: Logger | undefined;
  return {
    kube: deps.kube,
    // Made on first use: most handlers of a busy host never log.
    get log(): Logger {
      return (log ??= deps.log.child({
        eventId: trigger.id,
        type: trigger.type,
        source: trigger.source,
        function: deps.fn.name,
        attempt: meta.attempt,
      }));
    },
    emit: makeEmit(deps, trigger, meta),
    signal: meta.signal,
    attempt: meta.attempt,
    deliveries: meta.deliveries,
    sequence: meta.sequence,
    replay: meta.replayId !== undefined,
  };
}
