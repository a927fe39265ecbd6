// Proves the embedded nats-server runs JetStream and drops a duplicate Nats-Msg-Id.
import { jetstreamManager, jetstream } from "@nats-io/jetstream";
import { headers, type NatsConnection } from "@nats-io/transport-node";
import { natsConnection, uniqueName } from "../harness/servers.ts";

let nc: NatsConnection;
beforeAll(async () => {
  nc = await natsConnection();
});
afterAll(async () => {
  await nc.close();
});

test("a message published twice with the same Nats-Msg-Id is stored once", async () => {
  const stream = uniqueName("dedup").toUpperCase();
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: stream, subjects: [`${stream}.>`], duplicate_window: 60_000_000_000 });
  const js = jetstream(nc);
  const h = headers();
  h.set("Nats-Msg-Id", "same-id");
  const first = await js.publish(`${stream}.a`, "one", { headers: h });
  const second = await js.publish(`${stream}.a`, "one", { headers: h });
  expect(first.duplicate).toBe(false);
  expect(second.duplicate).toBe(true);
  const info = await jsm.streams.info(stream);
  expect(info.state.messages).toBe(1);
  await jsm.streams.delete(stream);
});
