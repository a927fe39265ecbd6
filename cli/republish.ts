// Sends a stored message again, byte for byte, to one function's replay subject with a fresh identity.
import type { JetStreamClient, PubAck } from "@nats-io/jetstream";
import { headers as natsHeaders } from "@nats-io/transport-node";
import { REPLAY_ID_HEADER } from "../shared/host/delivery.ts";
import type { Stored } from "./stored.ts";

export interface Republish {
  subject: string;
  replayId: string;
  /** JetStream's de-duplication key: the same replay of the same message is stored once. */
  msgId: string;
  /** Header names (any case) not carried over, besides Nats-Msg-Id. */
  drop?: readonly string[];
}

export async function republish(
  js: JetStreamClient,
  stored: Pick<Stored, "headers" | "data">,
  spec: Republish,
): Promise<PubAck> {
  const dropped = new Set([
    "nats-msg-id",
    REPLAY_ID_HEADER.toLowerCase(),
    ...(spec.drop ?? []).map((h) => h.toLowerCase()),
  ]);
  const hdrs = natsHeaders();
  for (const [name, values] of stored.headers ?? []) {
    if (dropped.has(name.toLowerCase())) continue;
    for (const value of values) hdrs.append(name, value);
  }
  hdrs.set(REPLAY_ID_HEADER, spec.replayId);
  hdrs.set("Nats-Msg-Id", spec.msgId);
  return js.publish(spec.subject, stored.data, { headers: hdrs });
}
