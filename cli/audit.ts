// The audit trail of replays and redrives: who sent what again, to which functions, when and why, in a
// stream of its own.
import { userInfo } from "node:os";
import { StorageType, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import { namesFor } from "../shared/config.ts";
import { envString } from "../shared/env.ts";
import { isStreamMissing } from "./context.ts";
import { collect, readStored } from "./stored.ts";

export const AUDIT_KINDS = ["replay", "redrive"] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

export interface ReplayRecord {
  /** Absent on records written before redrives were audited: those are replays. */
  kind?: AuditKind;
  /** A redrive's is the redrive id that `icnctl status <event-id>` shows in the event's history. */
  replayId: string;
  who: string;
  at: string;
  reason: string;
  to: string[];
  /** For a replay the events stream's sequence; for a redrive the original's (from its dead letter). */
  events: { seq: number; id: string; type: string }[];
  /** A redrive's dead letter id (the DLQ stream's sequence). */
  deadLetter?: number;
}

/** Beside namesFor: the prefix's audit stream (`ICN_AUDIT` for `icn`) and the subject of each kind. */
export function auditNamesFor(prefix: string): { stream: string; subject: (kind: AuditKind) => string } {
  return {
    stream: namesFor(prefix).eventsStream.replace(/_EVENTS$/, "_AUDIT"),
    subject: (kind) => `audit.${prefix}.${kind}`,
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

export async function recordAudit(
  js: JetStreamClient,
  jsm: JetStreamManager,
  prefix: string,
  record: ReplayRecord & { kind: AuditKind },
): Promise<void> {
  await ensureAuditStream(jsm, prefix);
  await js.publish(auditNamesFor(prefix).subject(record.kind), JSON.stringify(record), {
    msgID: `audit:${record.replayId}`,
  });
}

/** Replays and redrives, oldest first, each with its kind; none when nothing was ever recorded. */
export async function listAudit(
  js: JetStreamClient,
  jsm: JetStreamManager,
  prefix: string,
): Promise<(ReplayRecord & { kind: AuditKind })[]> {
  const { stream, subject } = auditNamesFor(prefix);
  try {
    const stored = await collect(readStored(js, jsm, stream, { filter: AUDIT_KINDS.map(subject) }));
    return stored.map((m) => ({
      kind: "replay" as const,
      ...(JSON.parse(new TextDecoder().decode(m.data)) as ReplayRecord),
    }));
  } catch (err) {
    if (isStreamMissing(err)) return [];
    throw err;
  }
}
