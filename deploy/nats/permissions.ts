// Each component's NATS user and subject permissions, derived from the function definitions so they cannot drift.
import { configFromEnv, type RuntimeConfig } from "../../shared/config.ts";
import { deadLetterSubject } from "../../shared/host/streams.ts";
import type { AnyFunction } from "../../shared/function.ts";
import { EVENT_NAMES, isResultEvent, subjectOf, type EventName } from "../../schemas/events.ts";

/** The one NATS account of the platform: its streams, its users, JetStream enabled. */
export const ACCOUNT = "ICN";

export interface Permissions {
  publish: string[];
  subscribe: string[];
}

export interface NatsUser {
  user: string;
  /** The environment variable the server reads the password from; never a password itself. */
  passwordVariable: string;
  permissions: Permissions;
}

/**
 * What a function's user needs follows from its name (its durable consumer, outcomes, dead letters,
 * inbox) and its `emits`. What it consumes (`on`) is its consumer's filter, which only the
 * provisioner sets: a user that could write its consumer could point it at every event.
 */
type Definition = Pick<AnyFunction, "name" | "emits">;

/** The platform's own event sources: what each publishes (they consume nothing from the stream). */
export const SOURCES = {
  "node-watcher": ["node.joined", "node.kata-ready", "node.kata-overdue"],
  "pod-watcher": ["pod.unsafe"],
  // Which types a ticketing system may send is the ingress' own per-source rule; NATS allows the inputs.
  ingress: EVENT_NAMES.filter((name) => !isResultEvent(name)),
} as const satisfies Record<string, readonly EventName[]>;

export function passwordVariable(user: string): string {
  return `ICN_NATS_${user.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_PASSWORD`;
}

/** Replies (JetStream API answers, pulled messages, publish acks) come to the user's own inboxes only. */
export function inboxPrefix(user: string): string {
  return `_INBOX_${user}`;
}

const api = (call: string): string => `$JS.API.${call}`;

/**
 * What every host or watcher does when it starts (shared/host/streams.ts, ICN_NATS_PROVISIONING=bind):
 * reads the streams it needs. Creating or changing them is the provisioner's.
 */
function streamChecks(streams: readonly string[]): string[] {
  return [api("INFO"), ...streams.map((s) => api(`STREAM.INFO.${s}`))];
}

const kvStream = (config: RuntimeConfig): string => `KV_${config.outcomesBucket}`;

/** Outcome records of this function only: keys are `<id digest>.<source digest>.<function>`. */
function ownOutcomes(config: RuntimeConfig, fn: string): string[] {
  const key = `$KV.${config.outcomesBucket}.*.*.${fn}`;
  return [key, api(`DIRECT.GET.${kvStream(config)}.${key}`)];
}

/** Its own durable consumer on the events stream: look it up, pull from it, ack. Never create or change it. */
function ownConsumer(config: RuntimeConfig, fn: string): string[] {
  const stream = config.eventsStream;
  return [
    api(`CONSUMER.INFO.${stream}.${fn}`),
    api(`CONSUMER.MSG.NEXT.${stream}.${fn}`),
    `$JS.ACK.${stream}.${fn}.>`,
  ];
}

export function functionPermissions(fn: Definition, config: RuntimeConfig): Permissions {
  const streams = [config.eventsStream, config.deadLetterStream, kvStream(config)];
  return {
    publish: [
      ...streamChecks(streams),
      ...ownConsumer(config, fn.name),
      ...ownOutcomes(config, fn.name),
      ...fn.emits.map((name) => subjectOf(config.prefix, name)),
      deadLetterSubject(config, fn.name),
    ],
    subscribe: [`${inboxPrefix(fn.name)}.>`],
  };
}

/** `GET /events/{id}` reads every function's outcome: a lookup by key and a listing of keys. */
function outcomeReader(config: RuntimeConfig): string[] {
  const stream = kvStream(config);
  return [
    api(`DIRECT.GET.${stream}.>`),
    ...["CREATE", "INFO", "MSG.NEXT", "DELETE"].map((call) => api(`CONSUMER.${call}.${stream}.>`)),
  ];
}

export function sourcePermissions(name: keyof typeof SOURCES, config: RuntimeConfig): Permissions {
  const ingress = name === "ingress";
  // Watchers check the streams they publish to; the ingress also opens the outcome bucket.
  const streams = [config.eventsStream, config.deadLetterStream, ...(ingress ? [kvStream(config)] : [])];
  return {
    publish: [
      ...streamChecks(streams),
      ...SOURCES[name].map((event) => subjectOf(config.prefix, event)),
      ...(ingress ? outcomeReader(config) : []),
    ],
    subscribe: [`${inboxPrefix(name)}.>`],
  };
}

/** Sets the bus up at deploy time (`icnctl provision`, the icn-provision Job in deploy/base). */
export const PROVISIONER = "provisioner";

/**
 * Creates and updates the three streams and each function's durable consumer, and nothing else: it
 * publishes no event, pulls nothing, reads no outcome, deletes nothing.
 */
export function provisionerPermissions(functions: readonly Definition[], config: RuntimeConfig): Permissions {
  const streams = [config.eventsStream, config.deadLetterStream, kvStream(config)];
  const consumer = (fn: Definition, call: string): string =>
    api(`CONSUMER.${call}.${config.eventsStream}.${fn.name}`);
  return {
    publish: [
      api("INFO"),
      ...streams.flatMap((s) => ["INFO", "CREATE", "UPDATE"].map((call) => api(`STREAM.${call}.${s}`))),
      ...functions.flatMap((fn) => [consumer(fn, "INFO"), consumer(fn, "DURABLE.CREATE")]),
    ],
    subscribe: [`${inboxPrefix(PROVISIONER)}.>`],
  };
}

/** On-call engineers' `icnctl` (replay, dead letters, status): the whole account, nothing outside it. */
export const OPERATOR = "operator";

/** Every user of the account, functions first, for the subject prefix the deployment uses. */
export function natsUsers(functions: readonly Definition[], prefix = "icn"): NatsUser[] {
  const config = configFromEnv({ ICN_SUBJECT_PREFIX: prefix });
  const user = (name: string, permissions: Permissions): NatsUser => ({
    user: name,
    passwordVariable: passwordVariable(name),
    permissions,
  });
  return [
    ...functions.map((fn) => user(fn.name, functionPermissions(fn, config))),
    ...(Object.keys(SOURCES) as (keyof typeof SOURCES)[]).map((name) =>
      user(name, sourcePermissions(name, config)),
    ),
    user(PROVISIONER, provisionerPermissions(functions, config)),
    user(OPERATOR, { publish: [">"], subscribe: [">"] }),
  ];
}
