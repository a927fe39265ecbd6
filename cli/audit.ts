// The audit trail of replays: who replayed what, to which functions, when and why, in a stream of its own.
import { userInfo } from "node:os";
import { StorageType, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import { namesFor } from "../shared/config.ts";
import { envString } from "../shared/env.ts";
import { isStreamMissing } from "./context.ts";
import { collect, readStored } from "./stored.ts";

export interface ReplayRecord {
  replayId: string;
  who: string;
  at: string;
  reason: string;
  to: string[];
  events: { seq: number; id: string; type: string }[];
}

/** Beside namesFor: the prefix's audit stream (`ICN_AUDIT` for `icn`) and its replay subject. */
export function auditNamesFor(prefix: string): { stream: string; subject: string } {
  return {
    stream: namesFor(prefix).eventsStream.replace(/_EVENTS$/, "_AUDIT"),
    subject: `audit.${prefix}.replay`,
  };
}

/** ICN_OPERATOR names the person when a shared account runs the command. */
export function operatorName(env: NodeJS.ProcessEnv): string {
  const operator = envString(env, "ICN_OPERATOR");
  if (operator) return operator;
  try {
    return userInfo().username;
  } catch {
    return envString(env, "USER", "unknown");
  }
}

async function ensureAuditStream(jsm: JetStreamManager, prefix: string): Promise<void> {
  const { stream } = auditNamesFor(prefix);
  try {
    await jsm.streams.info(stream);
  } catch (err) {
    if (!isStreamMissing(err)) throw err;
    // Adding an identical stream twice is accepted, so two operators racing here both succeed.
    await jsm.streams.add({ name: stream, subjects: [`audit.${prefix}.>`], storage: StorageType.File });
  }
}

export async function recordReplay(
  js: JetStreamClient,
  jsm: JetStreamManager,
  prefix: string,
  record: ReplayRecord,
): Promise<void> {
  await ensureAuditStream(jsm, prefix);
  await js.publish(auditNamesFor(prefix).subject, JSON.stringify(record), {
    msgID: `audit:${record.replayId}`,
  });
}

/** Oldest first; none when no replay was ever recorded. */
export async function listReplays(
  js: JetStreamClient,
  jsm: JetStreamManager,
  prefix: string,
): Promise<ReplayRecord[]> {
  const { stream, subject } = auditNamesFor(prefix);
  try {
    const stored = await collect(readStored(js, jsm, stream, { filter: [subject] }));
    return stored.map((m) => JSON.parse(new TextDecoder().decode(m.data)) as ReplayRecord);
  } catch (err) {
    if (isStreamMissing(err)) return [];
    throw err;
  }
}
