import type { Msg, MsgHdrs, NatsConnection } from "@nats-io/transport-node";
import { ConfirmedPublisher, NotStoredError } from "./confirmed-publisher.ts";

/** A connection that records publishes and lets the test play the server's PubAcks. */
function fakeConnection(): {
  nc: NatsConnection;
  replies: string[];
  answer(reply: string, body: string, headers?: Partial<MsgHdrs>): void;
  breakSubscription(err: Error): void;
} {
  let callback: (err: Error | null, msg: Msg) => void = () => undefined;
  const replies: string[] = [];
  const nc = {
    options: { inboxPrefix: "_INBOX_fn" },
    subscribe: (_subject: string, opts: { callback: typeof callback }) => {
      callback = opts.callback;
      return { unsubscribe: () => undefined };
    },
    publish: (_subject: string, _payload: string, opts: { reply: string }) => replies.push(opts.reply),
  } as unknown as NatsConnection;
  return {
    nc,
    replies,
    answer: (reply, body, headers) =>
      callback(null, {
        subject: reply,
        headers,
        data: new TextEncoder().encode(body),
        json: <T>() => JSON.parse(body) as T,
      } as unknown as Msg),
    breakSubscription: (err) => callback(err, undefined as unknown as Msg),
  };
}

describe("ConfirmedPublisher", () => {
  it("asks for replies under the connection's own inbox prefix", () => {
    const server = fakeConnection();
    const publisher = new ConfirmedPublisher(server.nc, 1000);
    const waiting = publisher.publish("$KV.b.k", "{}").catch(() => "closed");
    expect(server.replies[0]).toMatch(/^_INBOX_fn\.\w+\.1$/);
    publisher.close();
    return expect(waiting).resolves.toBe("closed");
  });

  it("settles when JetStream's PubAck arrives, and rejects with the reason it refused", async () => {
    const server = fakeConnection();
    const publisher = new ConfirmedPublisher(server.nc, 1000);
    const stored = publisher.publish("$KV.b.k1", "{}");
    const refused = publisher.publish("$KV.b.k2", "{}");
    const unanswered = publisher.publish("$KV.b.k3", "{}");
    server.answer(server.replies[0]!, '{"stream":"KV_b","seq":1}');
    server.answer(server.replies[1]!, '{"error":{"code":503,"description":"stream offline"}}');
    server.answer(server.replies[2]!, "", { hasError: true, code: 503, description: "No Responders" });
    await expect(stored).resolves.toBeUndefined();
    await expect(refused).rejects.toThrow("JetStream refused the message: stream offline");
    await expect(unanswered).rejects.toThrow("JetStream answered 503 No Responders");
  });

  it("gives up on a PubAck that does not come within the timeout", async () => {
    const server = fakeConnection();
    const publisher = new ConfirmedPublisher(server.nc, 100);
    await expect(publisher.publish("$KV.b.k", "{}")).rejects.toThrow(/no acknowledgement .* within 100 ms/);
    publisher.close();
  });

  it("rejects everything waiting when its subscription fails", async () => {
    const server = fakeConnection();
    const publisher = new ConfirmedPublisher(server.nc, 1000);
    const waiting = publisher.publish("$KV.b.k", "{}");
    server.breakSubscription(new Error("permissions violation"));
    await expect(waiting).rejects.toBeInstanceOf(NotStoredError);
    await expect(waiting).rejects.toThrow("PubAcks unreadable: permissions violation");
    publisher.close();
  });
});
