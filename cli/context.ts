// Connecting to the platform: NATS_URL/ICN_SUBJECT_PREFIX from the environment, else the repo's .icn/env.
import { existsSync, readFileSync } from "node:fs";
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { statePaths } from "../deploy/local/paths.ts";
import { configFromEnv, natsAuthFromEnv, type RuntimeConfig } from "../shared/config.ts";
import { envString } from "../shared/env.ts";
import { OutcomeStore } from "../shared/host/outcomes.ts";
import { CliError, EXIT, usageError } from "./errors.ts";

const ENV_LINE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(?:'([^']*)'|"([^"]*)"|(\S*))\s*$/;

/** The `KEY='value'` lines `make up` writes to `.icn/env`. */
export function parseEnvFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const match = ENV_LINE.exec(line);
    if (match?.[1]) values[match[1]] = match[2] ?? match[3] ?? match[4] ?? "";
  }
  return values;
}

/**
 * The environment the CLI works in. Without NATS_URL, the embedded platform's env file fills the
 * gaps, so `icnctl` works right after `make up` without `source .icn/env`; set variables still win.
 */
export function platformEnv(
  env: NodeJS.ProcessEnv = process.env,
  envFile: string = statePaths().envFile,
): NodeJS.ProcessEnv {
  if (envString(env, "NATS_URL") || !existsSync(envFile)) return env;
  return { ...parseEnvFile(readFileSync(envFile, "utf8")), ...env };
}

export function cliConfig(env: NodeJS.ProcessEnv): RuntimeConfig {
  try {
    return configFromEnv(env);
  } catch (err) {
    throw usageError(err instanceof Error ? err.message : String(err), "fix the variable and run again");
  }
}

/** One connection for one command; `close` drains it so every publish is flushed first. */
export interface Session {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  config: RuntimeConfig;
  outcomes(): Promise<OutcomeStore>;
  close(): Promise<void>;
}

export async function openSession(env: NodeJS.ProcessEnv): Promise<Session> {
  const config = cliConfig(env);
  const hint = envString(env, "NATS_URL")
    ? "is the platform up? run make up, or check NATS_URL"
    : "NATS_URL is unset and there is no .icn/env: is the platform up? run make up";
  // No reconnecting: an operator waiting on a dead server should hear so at once.
  const nc = await connect({
    servers: config.natsUrl,
    name: "icnctl",
    timeout: 5000,
    maxReconnectAttempts: 0,
    // NATS_USER/NATS_PASSWORD/NATS_INBOX_PREFIX: the provision Job connects as the provisioner.
    ...natsAuthFromEnv(env),
  }).catch((err: unknown) => {
    const reason = err instanceof Error ? err.message : String(err);
    throw new CliError(EXIT.failure, `cannot reach NATS at ${config.natsUrl} (${reason})`, hint, {
      cause: err,
    });
  });
  const jsm = await jetstreamManager(nc).catch(async (err: unknown) => {
    await nc.close();
    throw new CliError(
      EXIT.failure,
      `NATS at ${config.natsUrl} has no JetStream (${String(err)})`,
      "point NATS_URL at the platform's nats-server (make up)",
    );
  });
  let outcomes: Promise<OutcomeStore> | undefined;
  return {
    nc,
    js: jetstream(nc),
    jsm,
    config,
    outcomes: () => (outcomes ??= OutcomeStore.open(nc, config.outcomesBucket)),
    close: () => nc.drain(),
  };
}

/** What every command needs from outside: where it runs and how it connects (tests may pass their own). */
export interface CliDeps {
  env: NodeJS.ProcessEnv;
  openSession(): Promise<Session>;
}

export function defaultDeps(env: NodeJS.ProcessEnv = platformEnv()): CliDeps {
  return { env, openSession: () => openSession(env) };
}

export async function withSession<T>(deps: CliDeps, work: (session: Session) => Promise<T>): Promise<T> {
  const session = await deps.openSession();
  try {
    return await work(session);
  } finally {
    await session.close().catch(() => undefined);
  }
}

/** Whether a JetStream error says the stream is missing (the host creates streams on its first start). */
export function isStreamMissing(err: unknown): boolean {
  return /stream not found/i.test(String(err));
}

export function noEventsStream(config: RuntimeConfig): CliError {
  return new CliError(
    EXIT.notFound,
    `there is no events stream ${config.eventsStream} for subject prefix "${config.prefix}"`,
    "start a function host first (icnctl run) or check ICN_SUBJECT_PREFIX",
  );
}
