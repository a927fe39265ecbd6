// Coalesces the outcome records of deliveries that finish in the same turn of the event loop. (Their acks
// follow the records' PubAcks, which arrive together and so are flushed together too.)
//
// nats.js flushes its outbound buffer in a microtask after the first write, so every delivery that
// settles on its own turn costs one socket write, and at a few thousand events a second those writes
// are most of the host's CPU. Deferring them to one setImmediate sends a turn's worth together.
export class WriteBatch {
  #pending: Array<() => void> = [];

  /** Runs `write` together with the others queued this turn; settles as it does (it may return a promise). */
  add<T>(write: () => T | Promise<T>): Promise<T> {
    return new Promise((resolve, reject) => {
      this.#pending.push(() => {
        try {
          resolve(write());
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
      if (this.#pending.length === 1) setImmediate(this.#flush);
    });
  }

  readonly #flush = (): void => {
    const writes = this.#pending;
    this.#pending = [];
    for (const write of writes) write();
  };
}
