// Reading what a stream holds, from a start point up to its end when the read began, and matching subjects.
import {
  AckPolicy,
  DeliverPolicy,
  type Consumer,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type StoredMsg,
} from "@nats-io/jetstream";
import type { MsgHdrs } from "@nats-io/transport-node";

const NANOS_PER_MS = 1_000_000;
const BATCH = 256;

/** A message as stored, whichever API fetched it. */
export interface Stored {
  seq: number;
  subject: string;
  headers: MsgHdrs | undefined;
  data: Uint8Array;
  time: Date;
  /** nats.js's own message, when there is one: where natsMsgToEvent() finds the raw header block. */
  msg?: unknown;
}

export const fromJsMsg = (m: JsMsg): Stored => ({
  seq: m.seq,
  subject: m.subject,
  // Read when asked: nats.js throws on a header block it refuses, and the caller reports that message as
  // unreadable rather than stopping at it. (Its raw block stays reachable through `msg`.)
  get headers() {
    return m.headers;
  },
  msg: (m as { msg?: unknown }).msg,
  data: m.data,
  time: m.time,
});
export const fromStoredMsg = (m: StoredMsg): Stored => ({
  seq: m.seq,
  subject: m.subject,
  headers: m.header,
  data: m.data,
  time: m.time,
});

export interface ReadFrom {
  /** Subjects to read (wildcards allowed); all when empty. */
  filter: readonly string[];
  startSeq?: number;
  startTime?: Date;
}

function deliverFrom(from: ReadFrom): {
  deliver_policy: DeliverPolicy;
  opt_start_seq?: number;
  opt_start_time?: string;
} {
  if (from.startSeq !== undefined)
    return { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: Math.max(1, from.startSeq) };
  if (from.startTime)
    return { deliver_policy: DeliverPolicy.StartTime, opt_start_time: from.startTime.toISOString() };
  return { deliver_policy: DeliverPolicy.All };
}

/**
 * Every matching message from the start point, oldest first, ending where the stream ended when the
 * read began. An ephemeral consumer reports its pending count when it is created, which is what
 * makes "the end of what is stored" exact instead of a guess from a quiet timeout.
 */
export async function* readStored(
  js: JetStreamClient,
  jsm: JetStreamManager,
  stream: string,
  from: ReadFrom,
): AsyncGenerator<Stored> {
  const info = await jsm.consumers.add(stream, {
    ack_policy: AckPolicy.None,
    ...deliverFrom(from),
    ...(from.filter.length ? { filter_subjects: [...from.filter] } : {}),
    inactive_threshold: 60_000 * NANOS_PER_MS,
    mem_storage: true,
    num_replicas: 1,
  });
  try {
    for await (const msg of fetchPending(js.consumers.getConsumerFromInfo(info), info.num_pending)) {
      // The server's start time overflows past the year 2262 and then starts at the beginning.
      if (!from.startTime || msg.time >= from.startTime) yield msg;
    }
  } finally {
    await jsm.consumers.delete(stream, info.name).catch(() => undefined);
  }
}

async function* fetchPending(consumer: Consumer, pending: number): AsyncGenerator<Stored> {
  let left = pending;
  while (left > 0) {
    let got = 0;
    for await (const msg of await consumer.fetch({ max_messages: Math.min(left, BATCH), expires: 5000 })) {
      got++;
      left = msg.info.pending === 0 ? 0 : left - 1;
      yield fromJsMsg(msg);
      if (left === 0) break;
    }
    // Messages deleted since the count (a redriven dead letter) leave the count short: stop at the end.
    if (got === 0) return;
  }
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/** NATS subject matching: `*` is one token, `>` the rest (at least one token). */
export function subjectMatches(filter: string, subject: string): boolean {
  const want = filter.split(".");
  const have = subject.split(".");
  for (let i = 0; i < want.length; i++) {
    if (want[i] === ">") return have.length > i;
    if (i >= have.length || (want[i] !== "*" && want[i] !== have[i])) return false;
  }
  return want.length === have.length;
}

/** Headers as a plain record of every value, in the order they were stored. */
export function headerRecord(headers: MsgHdrs | undefined): Record<string, string[]> {
  const record: Record<string, string[]> = {};
  for (const [name, values] of headers ?? []) record[name] = [...values];
  return record;
}
