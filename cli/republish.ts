// Sends a stored message again, byte for byte, to one function's replay subject with a fresh identity.
import type { JetStreamClient, PubAck } from "@nats-io/jetstream";
import { headers as natsHeaders } from "@nats-io/transport-node";
import { REPLAY_BY_HEADER, REPLAY_ID_HEADER, REPLAY_REASON_HEADER } from "../shared/host/delivery.ts";
import { MAX_BY_LENGTH, MAX_REASON_LENGTH } from "../shared/host/outcome-history.ts";
import type { Stored } from "./stored.ts";

export interface Republish {
  subject: string;
  replayId: string;
  /** JetStream's de-duplication key: the same replay of the same message is stored once. */
  msgId: string;
  /** Header names (any case) not carried over, besides Nats-Msg-Id. */
  drop?: readonly string[];
  /** The operator and reason the function's outcome history names (the audit record keeps them too). */
  by: string;
  reason: string;
}

/** Header values are one line of ASCII: percent-encoded; one character past the limit says it was cut. */
const headerValue = (text: string, max: number): string => encodeURIComponent(text.slice(0, max + 1));

export async function republish(
  js: JetStreamClient,
  stored: Pick<Stored, "headers" | "data">,
  spec: Republish,
): Promise<PubAck> {
  const dropped = new Set([
    "nats-msg-id",
    ...[REPLAY_ID_HEADER, REPLAY_BY_HEADER, REPLAY_REASON_HEADER].map((h) => h.toLowerCase()),
    ...(spec.drop ?? []).map((h) => h.toLowerCase()),
  ]);
  const hdrs = natsHeaders();
  for (const [name, values] of stored.headers ?? []) {
    if (dropped.has(name.toLowerCase())) continue;
    for (const value of values) hdrs.append(name, value);
  }
  hdrs.set(REPLAY_ID_HEADER, spec.replayId);
  hdrs.set(REPLAY_BY_HEADER, headerValue(spec.by, MAX_BY_LENGTH));
  if (spec.reason) hdrs.set(REPLAY_REASON_HEADER, headerValue(spec.reason, MAX_REASON_LENGTH));
  hdrs.set("Nats-Msg-Id", spec.msgId);
  return js.publish(spec.subject, stored.data, { headers: hdrs });
}
