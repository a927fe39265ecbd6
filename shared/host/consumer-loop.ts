// Pulls one function's messages and runs at most `concurrency` of them at a time.
import type { Consumer, JsMsg } from "@nats-io/jetstream";
import { PULL_EXPIRES_MS, RECEIVED_AFTER_MS } from "../config.ts";
import { deliver, type DeliveryDeps } from "./deliver.ts";
import type { Lease } from "./settle.ts";
import type { HostMetrics } from "./metrics.ts";
import { WriteBatch } from "./write-batch.ts";

export interface RunningConsumer {
  /** Stops pulling, hands back what was pulled but not started, waits for in-flight handlers. */
  drain(): Promise<void>;
  inFlight(): number;
}

export const DEFAULT_CONCURRENCY = 8;

/** Handlers running for RECEIVED_AFTER_MS or longer get their `received` outcome, once. */
function markSlowHandlers(leases: ReadonlyMap<JsMsg, Lease>): void {
  const cutoff = performance.now() - RECEIVED_AFTER_MS;
  for (const lease of leases.values()) {
    if (lease.since > cutoff || !lease.markReceived) continue;
    lease.received = lease.markReceived();
    lease.markReceived = undefined;
  }
}

export async function startConsumer(
  consumer: Consumer,
  deps: Omit<DeliveryDeps, "leases" | "writes" | "tally"> & { metrics: HostMetrics },
): Promise<RunningConsumer> {
  const limit = deps.fn.concurrency ?? DEFAULT_CONCURRENCY;
  // Pull a little ahead so the handlers never wait on the network, but not so far that
  // another host sharing the consumer starves.
  const messages = await consumer.consume({ max_messages: Math.max(limit * 2, 4), expires: PULL_EXPIRES_MS });
  const running = new Set<Promise<void>>();
  let draining = false;
  // One timer for all in-flight handlers: long ones keep their lease, or JetStream would
  // redeliver them to another host while they still run.
  const leases = new Map<JsMsg, Lease>();
  const renew = setInterval(
    () => leases.forEach((_, m) => m.working()),
    Math.max(1000, deps.config.ackWaitMs / 3),
  );
  renew.unref();
  const slow = setInterval(() => markSlowHandlers(leases), RECEIVED_AFTER_MS / 2);
  slow.unref();
  const delivery: DeliveryDeps = {
    ...deps,
    leases,
    writes: new WriteBatch(),
    tally: deps.metrics.tally(deps.fn.name),
  };

  // Woken when a handler finishes and a slot is free (cheaper than racing every running promise).
  let slotFree: (() => void) | undefined;
  const start = (msg: JsMsg): void => {
    const task = deliver(msg, delivery).finally(() => {
      running.delete(task);
      slotFree?.();
    });
    running.add(task);
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
      await Promise.allSettled([...running]);
      clearInterval(renew);
      clearInterval(slow);
    },
  };
}
