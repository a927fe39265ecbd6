// Pulls one function's messages and runs at most `concurrency` of them at a time.
import type { Consumer, JsMsg } from "@nats-io/jetstream";
import { PULL_EXPIRES_MS } from "../config.ts";
import { deliver, type DeliveryDeps } from "./delivery.ts";
import type { HostMetrics } from "./metrics.ts";
import { WriteBatch } from "./write-batch.ts";

export interface RunningConsumer {
  /** Stops pulling, hands back what was pulled but not started, waits for in-flight handlers. */
  drain(): Promise<void>;
  inFlight(): number;
}

export const DEFAULT_CONCURRENCY = 8;

export async function startConsumer(
  consumer: Consumer,
  deps: Omit<DeliveryDeps, "retry" | "writes" | "tally"> & { metrics: HostMetrics },
): Promise<RunningConsumer> {
  const limit = deps.fn.concurrency ?? DEFAULT_CONCURRENCY;
  // Pull a little ahead so the handlers never wait on the network, but not so far that
  // another host sharing the consumer starves.
  const messages = await consumer.consume({ max_messages: Math.max(limit * 2, 4), expires: PULL_EXPIRES_MS });
  // Each message being delivered, with its delivery's promise.
  const running = new Map<JsMsg, Promise<void>>();
  let draining = false;
  // One timer for all of them: long handlers keep their lease, or JetStream would redeliver their
  // messages to another host while they still run.
  const renew = setInterval(
    () => running.forEach((_, msg) => msg.working()),
    Math.max(1000, deps.config.ackWaitMs / 3),
  );
  renew.unref();
  const deliveryDeps: DeliveryDeps = {
    ...deps,
    retry: deps.fn.retry ?? deps.config.retry,
    writes: new WriteBatch(),
    tally: deps.metrics.tally(deps.fn.name),
  };

  // Woken when a handler finishes and a slot is free (cheaper than racing every running promise).
  let slotFree: (() => void) | undefined;
  const start = (msg: JsMsg): void => {
    const task = deliver(msg, deliveryDeps).finally(() => {
      running.delete(msg);
      slotFree?.();
    });
    running.set(msg, task);
  };

  const loop = (async (): Promise<void> => {
    for await (const msg of messages) {
      if (draining) {
        msg.nak(); // pulled but never started: another host (or this one, later) takes it now
        continue;
      }
      start(msg);
      while (running.size >= limit) await new Promise<void>((resolve) => (slotFree = resolve));
    }
  })();

  return {
    inFlight: () => running.size,
    async drain(): Promise<void> {
      draining = true;
      await messages.close();
      await loop;
      await Promise.allSettled(running.values());
      clearInterval(renew);
    },
  };
}
