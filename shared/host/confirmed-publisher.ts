// Publishes to JetStream and learns whether each message was stored, without a request per message:
// every PubAck comes back to one inbox subscription. A nats.js request costs a subscription entry, a
// timer and an error object per call, which at thousands of outcome records a second was most of the
// host's time; a plain publish costs nothing but may be dropped unseen (no stream leader mid-failover).
import { createInbox, type Msg, type NatsConnection, type Subscription } from "@nats-io/transport-node";

interface Waiter {
  resolve(): void;
  reject(err: Error): void;
  since: number;
}

export class NotStoredError extends Error {
  override readonly name = "NotStoredError";
}

export class ConfirmedPublisher {
  readonly #nc: NatsConnection;
  readonly #inbox: string;
  readonly #waiting = new Map<number, Waiter>();
  readonly #subscription: Subscription;
  readonly #sweeper: ReturnType<typeof setInterval>;
  #next = 0;

  constructor(nc: NatsConnection, timeoutMs: number) {
    this.#nc = nc;
    this.#inbox = createInbox(inboxPrefixOf(nc));
    this.#subscription = nc.subscribe(`${this.#inbox}.*`, {
      callback: (err, msg) => (err ? this.#fail(err) : this.#settle(msg)),
    });
    this.#sweeper = setInterval(() => this.#expire(timeoutMs), Math.max(100, timeoutMs / 4));
    this.#sweeper.unref();
  }

  /** Settles once JetStream has stored the message, or rejects with why it did not. */
  publish(subject: string, payload: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const id = ++this.#next;
      this.#waiting.set(id, { resolve, reject, since: Date.now() });
      this.#nc.publish(subject, payload, { reply: `${this.#inbox}.${id}` });
    });
  }

  close(): void {
    clearInterval(this.#sweeper);
    this.#subscription.unsubscribe();
    this.#expire(-1);
  }

  #settle(msg: Msg): void {
    const id = Number(msg.subject.slice(this.#inbox.length + 1));
    const waiter = this.#waiting.get(id);
    if (!waiter) return; // timed out already
    this.#waiting.delete(id);
    const problem = whyNotStored(msg);
    if (problem) waiter.reject(new NotStoredError(problem));
    else waiter.resolve();
  }

  /** The subscription itself failed (say, not permitted): nothing waiting will hear back. */
  #fail(err: Error): void {
    for (const waiter of this.#waiting.values())
      waiter.reject(new NotStoredError(`PubAcks unreadable: ${err.message}`));
    this.#waiting.clear();
  }

  #expire(timeoutMs: number): void {
    const cutoff = Date.now() - timeoutMs;
    for (const [id, waiter] of this.#waiting) {
      if (waiter.since > cutoff) continue;
      this.#waiting.delete(id);
      waiter.reject(new NotStoredError(`no acknowledgement from JetStream within ${timeoutMs} ms`));
    }
  }
}

/**
 * The prefix the connection's own requests use for replies: a user's permissions may allow replies
 * under it only. nats.js keeps it in the connection's options, which its interface does not declare.
 */
function inboxPrefixOf(nc: NatsConnection): string | undefined {
  return (nc as { options?: { inboxPrefix?: string } }).options?.inboxPrefix;
}

const ERROR_KEY = Buffer.from('"error"');

/** A PubAck is `{"stream":…,"seq":…}`; a refusal is a status header (503: no stream answered) or an error body. */
function whyNotStored(msg: Msg): string | undefined {
  if (msg.headers?.hasError) return `JetStream answered ${msg.headers.code} ${msg.headers.description}`;
  // Most PubAcks say "stored": no need to parse one that has no "error" key anywhere in it.
  const { buffer, byteOffset, byteLength } = msg.data;
  if (!Buffer.from(buffer, byteOffset, byteLength).includes(ERROR_KEY)) return undefined;
  const ack = msg.json<{ error?: { description?: string } }>();
  return ack.error
    ? `JetStream refused the message: ${ack.error.description ?? "no reason given"}`
    : undefined;
}
