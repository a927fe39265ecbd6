// Runtime configuration read once from the environment, then passed in (never a module singleton).
import { envChoice, envInt, envString } from "./env.ts";

export interface RetryPolicy {
  /** Deliveries before the event is dead-lettered (the first try counts). */
  attempts: number;
  /** Delay before delivery n+1 is the n-th entry (the last one repeats). */
  backoffMs: readonly number[];
}

export interface RuntimeConfig {
  natsUrl: string;
  /** Subject prefix: events live under `<prefix>.>`. */
  prefix: string;
  eventsStream: string;
  deadLetterStream: string;
  outcomesBucket: string;
  /** How long JetStream remembers a Nats-Msg-Id to drop a repeat. */
  duplicateWindowMs: number;
  maxPayloadBytes: number;
  ackWaitMs: number;
  retry: RetryPolicy;
  httpPort: number;
  /** Who emits our result events (the CloudEvents `source`). */
  source: string;
  /** JetStream replicas of the streams and the outcome bucket a host creates (3 on a NATS cluster). */
  streamReplicas?: number;
  /** Who makes the streams, the outcome bucket and the durable consumers (create when unset). */
  provisioning?: Provisioning;
}

/**
 * `create`: a component creates what it needs when missing (the embedded platform, tests).
 * `bind`: `icnctl provision` made it all (a cluster, where the components' NATS users may not); a
 * component only checks it, and refuses to start when something is missing or differs.
 */
export const PROVISIONING = ["create", "bind"] as const;
export type Provisioning = (typeof PROVISIONING)[number];

/** How a process authenticates to NATS; kept out of RuntimeConfig so it is never logged with it. */
export interface NatsAuth {
  user?: string;
  pass?: string;
  /** Replies arrive under this prefix, so a user's permissions can allow its own inboxes only. */
  inboxPrefix?: string;
}

export function natsAuthFromEnv(env: NodeJS.ProcessEnv = process.env): NatsAuth {
  const auth: NatsAuth = {};
  const user = envString(env, "NATS_USER");
  const pass = envString(env, "NATS_PASSWORD");
  const inboxPrefix = envString(env, "NATS_INBOX_PREFIX");
  if (user) auth.user = user;
  if (pass) auth.pass = pass;
  if (inboxPrefix) auth.inboxPrefix = inboxPrefix;
  return auth;
}

// Sized so a 20 s apiserver outage is ridden out: 0.2+0.5+1+2+4+8+8+8 s ≈ 32 s before the last try.
// Eight attempts (≈ 24 s) were measured too tight: a 20 s stop plus the apiserver's restart left more
// than half the events on their last attempt (test/reliability/apiserver-outage.test.ts).
export const DEFAULT_RETRY: RetryPolicy = { attempts: 9, backoffMs: [200, 500, 1000, 2000, 4000, 8000] };

/** Names derived from the prefix, so two test suites (or two platforms) never share a stream. */
export function namesFor(
  prefix: string,
): Pick<RuntimeConfig, "eventsStream" | "deadLetterStream" | "outcomesBucket"> {
  const base = prefix.toUpperCase().replace(/[^A-Z0-9]/g, "_");
  return {
    eventsStream: `${base}_EVENTS`,
    deadLetterStream: `${base}_DLQ`,
    outcomesBucket: `${base.toLowerCase()}_outcomes`,
  };
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  const prefix = envString(env, "ICN_SUBJECT_PREFIX", "icn");
  if (!/^[a-z][a-z0-9-]*$/.test(prefix))
    throw new Error(`ICN_SUBJECT_PREFIX must be a lowercase token, got "${prefix}"`);
  return {
    natsUrl: envString(env, "NATS_URL", "nats://127.0.0.1:4222"),
    prefix,
    ...namesFor(prefix),
    duplicateWindowMs: envInt(env, "ICN_DUPLICATE_WINDOW_MS", 10 * 60_000),
    maxPayloadBytes: envInt(env, "ICN_MAX_PAYLOAD_BYTES", 256 * 1024),
    ackWaitMs: envInt(env, "ICN_ACK_WAIT_MS", 30_000),
    retry: DEFAULT_RETRY,
    httpPort: envInt(env, "ICN_HTTP_PORT", 8080),
    source: envString(env, "ICN_SOURCE", "urn:icn-secure-tenancy"),
    streamReplicas: envInt(env, "ICN_STREAM_REPLICAS", 1) || 1,
    provisioning: envChoice(env, "ICN_NATS_PROVISIONING", PROVISIONING, "create"),
  };
}

export function backoffFor(policy: RetryPolicy, attempt: number): number {
  const delays = policy.backoffMs;
  return delays[Math.min(attempt - 1, delays.length - 1)] ?? 1000;
}

/**
 * When an event that keeps failing is dead-lettered, said once from the policy itself (the docs point
 * here, so they cannot disagree with it): the waits between attempts add up to `waitingMs`, and each
 * attempt's own time (up to its deadline) comes on top.
 */
export function retrySummary(policy: RetryPolicy): { attempts: number; waitingMs: number; text: string } {
  const waits = Array.from({ length: Math.max(0, policy.attempts - 1) }, (_, i) => backoffFor(policy, i + 1));
  const waitingMs = waits.reduce((sum, ms) => sum + ms, 0);
  const seconds = (ms: number): string => `${Math.round(ms / 100) / 10} s`;
  const text =
    `an event that keeps failing is tried ${policy.attempts} times, then dead-lettered: ` +
    `${seconds(waitingMs)} of waits between attempts (${waits.map(seconds).join(", ")}) plus each attempt's own time`;
  return { attempts: policy.attempts, waitingMs, text };
}

/**
 * How long one pull request waits on the server. A pull the server dropped (its node died, the
 * consumer's leader moved) is noticed only when it expires or two heartbeats (every half of it) go
 * missing: nats.js's 30 s default left a function stalled for about 43 s after a node loss. An idle
 * consumer pays one small request per period.
 */
export const PULL_EXPIRES_MS = 5_000;

/**
 * A handler running this long gets a `received` outcome, so "what became of event X?" has an answer
 * while it works. Quicker handlers go straight to their final state: a record each costs the hot path.
 */
export const RECEIVED_AFTER_MS = 1_000;
