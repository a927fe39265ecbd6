// Moves a message to the dead-letter stream: original headers (or, when they cannot be copied, their raw
// block) and payload byte-for-byte, plus why.
import type { JetStreamClient, JsMsg } from "@nats-io/jetstream";
import { headers as natsHeaders, type MsgHdrs } from "@nats-io/transport-node";
import { rawHeaderBlock } from "../cloudevents/nats-headers.ts";
import type { RuntimeConfig } from "../config.ts";
import { deadLetterSubject } from "./streams.ts";

/** Header names the dead letter adds; `icnctl dlq` reads them back. */
export const DLQ_HEADERS = {
  function: "Icn-Dlq-Function",
  attempts: "Icn-Dlq-Attempts",
  code: "Icn-Dlq-Error-Code",
  error: "Icn-Dlq-Error",
  subject: "Icn-Dlq-Subject",
  streamSeq: "Icn-Dlq-Stream-Seq",
  at: "Icn-Dlq-Time",
  originalMsgId: "Icn-Dlq-Original-Msg-Id",
  /**
   * In place of the original headers when nats.js cannot read them (a name or value it refuses) or they
   * are too long to copy: base64 of the block's first 24 KiB.
   */
  rawHeaders: "Icn-Dlq-Raw-Headers",
  /** That block's whole length, so a reader knows whether it was cut. */
  rawHeadersBytes: "Icn-Dlq-Raw-Headers-Bytes",
} as const;

export interface DeadLetterReason {
  fn: string;
  attempts: number;
  code: string;
  message: string;
}

/**
 * JetStream refuses a message whose headers pass 64 KiB, and base64 grows a block by a third: a
 * dead letter that cannot be stored is no dead letter. (The message itself stays in its stream.)
 */
const MAX_KEPT_RAW_BYTES = 24 * 1024;
/** Past this, the original headers and the dead letter's own would not fit under that limit together. */
const MAX_COPIED_BLOCK_BYTES = 60 * 1024;

// Header values travel on one line: a newline in an error message would break the frame.
const oneLine = (text: string): string => text.replace(/[\r\n]+/g, " ").slice(0, 1000);

/** nats.js reads the block when asked, and throws on names or values it would not have written. */
function readableHeaders(msg: JsMsg): MsgHdrs | undefined | "unreadable" {
  try {
    return msg.headers;
  } catch {
    return "unreadable";
  }
}

function copyOriginalHeaders(msg: JsMsg, hdrs: MsgHdrs): void {
  const block = rawHeaderBlock(msg);
  const original = readableHeaders(msg);
  if (original === "unreadable" || (block?.byteLength ?? 0) > MAX_COPIED_BLOCK_BYTES) {
    const kept = block ?? new Uint8Array();
    hdrs.set(DLQ_HEADERS.rawHeaders, Buffer.from(kept.subarray(0, MAX_KEPT_RAW_BYTES)).toString("base64"));
    hdrs.set(DLQ_HEADERS.rawHeadersBytes, String(kept.byteLength));
    return;
  }
  for (const [key, values] of original ?? []) {
    // Nats-Msg-Id is the stream's de-duplication key; keeping it would merge two functions' dead letters.
    if (key.toLowerCase() === "nats-msg-id") continue;
    for (const value of values) hdrs.append(key, value);
  }
  const msgId = original?.get("Nats-Msg-Id");
  if (msgId) hdrs.set(DLQ_HEADERS.originalMsgId, msgId);
}

export async function deadLetter(
  js: JetStreamClient,
  config: RuntimeConfig,
  msg: JsMsg,
  reason: DeadLetterReason,
): Promise<void> {
  const hdrs = natsHeaders();
  copyOriginalHeaders(msg, hdrs);
  hdrs.set(DLQ_HEADERS.function, reason.fn);
  hdrs.set(DLQ_HEADERS.attempts, String(reason.attempts));
  hdrs.set(DLQ_HEADERS.code, reason.code);
  hdrs.set(DLQ_HEADERS.error, oneLine(reason.message));
  hdrs.set(DLQ_HEADERS.subject, msg.subject);
  hdrs.set(DLQ_HEADERS.streamSeq, String(msg.info.streamSequence));
  hdrs.set(DLQ_HEADERS.at, new Date().toISOString());
  // One dead letter per (function, stream message), even if the host dies after publishing it.
  hdrs.set("Nats-Msg-Id", `${reason.fn}:${msg.info.stream}:${msg.info.streamSequence}`);
  await js.publish(deadLetterSubject(config, reason.fn), msg.data, { headers: hdrs });
}
