// Removes a run's streams and outcome bucket from the shared nats-server, so thousands of events do not linger.
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { RuntimeConfig } from "../../shared/config.ts";

export async function removeRunStreams(nc: NatsConnection, config: RuntimeConfig): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const names = [config.eventsStream, config.deadLetterStream, `KV_${config.outcomesBucket}`];
  await Promise.all(names.map((name) => jsm.streams.delete(name).catch(() => false)));
}
