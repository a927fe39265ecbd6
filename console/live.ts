// The live table's feed: one ordered consumer per console on every event subject, fanned out to each
// browser as server-sent events (no browser polls, and a hundred tabs cost NATS one subscription).
import type { ServerResponse } from "node:http";
import { DeliverPolicy, type ConsumerMessages } from "@nats-io/jetstream";
import type { Session } from "../cli/context.ts";
import { fromJsMsg } from "../cli/stored.ts";
import { keeps, rowOf, subjectsOf, type RowFilter } from "./rows.ts";

interface Watcher {
  res: ServerResponse;
  filter: RowFilter;
}

/** A comment line every so often keeps proxies and idle timers from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;

export class LiveFeed {
  readonly #session: Session;
  readonly #watchers = new Set<Watcher>();
  #messages?: ConsumerMessages;
  #keepalive?: NodeJS.Timeout;
  #started?: Promise<void>;

  constructor(session: Session) {
    this.#session = session;
  }

  get watchers(): number {
    return this.#watchers.size;
  }

  /** Starts on the first browser; an events stream that does not exist yet is retried then. */
  async #start(): Promise<void> {
    const { js, config } = this.#session;
    const consumer = await js.consumers.get(config.eventsStream, {
      filter_subjects: subjectsOf(config.prefix, {}),
      deliver_policy: DeliverPolicy.New,
    });
    this.#messages = await consumer.consume();
    this.#keepalive = setInterval(() => this.#broadcast(": keepalive\n\n"), KEEPALIVE_MS);
    void this.#pump(this.#messages);
  }

  async #pump(messages: ConsumerMessages): Promise<void> {
    for await (const msg of messages) {
      const stored = fromJsMsg(msg);
      const row = rowOf(stored);
      const frame = `id: ${row.seq}\nevent: row\ndata: ${JSON.stringify(row)}\n\n`;
      for (const watcher of this.#watchers) if (keeps(watcher.filter, stored, row)) watcher.res.write(frame);
    }
  }

  #broadcast(frame: string): void {
    for (const watcher of this.#watchers) watcher.res.write(frame);
  }

  /** Holds the response open as an event stream until the browser goes away. */
  async watch(res: ServerResponse, filter: RowFilter): Promise<void> {
    try {
      await (this.#started ??= this.#start());
    } catch (err) {
      this.#started = undefined;
      throw err;
    }
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
    });
    res.write(": live\n\n");
    const watcher = { res, filter };
    this.#watchers.add(watcher);
    res.on("close", () => this.#watchers.delete(watcher));
  }

  close(): void {
    clearInterval(this.#keepalive);
    for (const watcher of this.#watchers) watcher.res.end();
    this.#watchers.clear();
    void this.#messages?.close();
  }
}
