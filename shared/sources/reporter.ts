// Publishes each finding of a watcher once: remembered in this process, and de-duplicated by JetStream across restarts.
import type { JetStreamClient } from "@nats-io/jetstream";
import type { EventData, EventName } from "../../schemas/events.ts";
import { newEvent, publishEvent, stableId } from "../events.ts";
import type { Logger } from "../logging.ts";
import { sleep } from "./sleep.ts";

export interface ReporterDeps {
  js: Pick<JetStreamClient, "publish">;
  prefix: string;
  /** The watcher's name: with the object's uid it makes the event id, so a restart repeats the same id. */
  detector: string;
  /** A fixed CloudEvents source: source + id make the Nats-Msg-Id JetStream de-duplicates on. */
  source: string;
  log: Logger;
  signal: AbortSignal;
  retryMs?: (failures: number) => number;
  /** How many objects to remember; the oldest are forgotten first (JetStream still drops their repeats). */
  capacity?: number;
}

export interface ReporterStats {
  /** Stored on the stream. */
  published: number;
  /** Refused by JetStream as repeats of an id it already holds (a restart within the duplicate window). */
  duplicates: number;
  /** Not sent again: already reported by this process. */
  skipped: number;
  failures: number;
}

const defaultRetry = (failures: number): number => Math.min(10_000, 250 * 2 ** (failures - 1));

export class Reporter {
  readonly #deps: ReporterDeps;
  readonly #reported = new Map<string, string>();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #stats: ReporterStats = { published: 0, duplicates: 0, skipped: 0, failures: 0 };

  constructor(deps: ReporterDeps) {
    this.#deps = deps;
  }

  /** The event id for an object: the same uid always gives the same id. */
  idFor(key: string): string {
    return stableId(this.#deps.detector, key);
  }

  /** Publishes in the background unless `key` (an object's uid) was already reported. */
  report<N extends EventName>(key: string, name: N, data: EventData<N>): void {
    if (this.#reported.has(key)) {
      this.#stats.skipped++;
      return;
    }
    this.#remember(key);
    const sending = this.#publish(key, name, data).finally(() => this.#inFlight.delete(sending));
    this.#inFlight.add(sending);
  }

  /** The object is gone: if it comes back (same uid after a relist), it may be reported again. */
  forget(key: string): void {
    this.#reported.delete(key);
  }

  /** Resolves when every publish started so far has been stored, refused as a repeat, or abandoned. */
  async idle(): Promise<void> {
    while (this.#inFlight.size) await Promise.all([...this.#inFlight]);
  }

  stats(): ReporterStats {
    return { ...this.#stats };
  }

  #remember(key: string): void {
    this.#reported.set(key, this.idFor(key));
    const capacity = this.#deps.capacity ?? 100_000;
    if (this.#reported.size > capacity) this.#reported.delete(this.#reported.keys().next().value as string);
  }

  async #publish<N extends EventName>(key: string, name: N, data: EventData<N>): Promise<void> {
    const { js, prefix, source, log, signal } = this.#deps;
    const event = newEvent({ name, source, id: this.idFor(key), data });
    const retry = this.#deps.retryMs ?? defaultRetry;
    for (let failures = 0; !signal.aborted;) {
      try {
        const ack = await publishEvent(js as JetStreamClient, prefix, event);
        this.#stats[ack.duplicate ? "duplicates" : "published"]++;
        log.info(
          { event: name, id: event.id, data, duplicate: ack.duplicate, seq: ack.seq },
          ack.duplicate ? "already on the bus" : "reported",
        );
        return;
      } catch (err) {
        this.#stats.failures++;
        log.warn({ err, event: name, id: event.id, failures: ++failures }, "publish failed; retrying");
        await sleep(retry(failures), signal);
      }
    }
    // Stopped before it was stored: the next start reports it again.
    this.forget(key);
  }
}
