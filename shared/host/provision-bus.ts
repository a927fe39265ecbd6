// Everything a host needs on the bus, in one pass: both streams, the outcome bucket, each function's durable consumer.
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { RuntimeConfig } from "../config.ts";
import type { AnyFunction } from "../function.ts";
import { OUTCOME_HISTORY, OUTCOME_RETENTION_MS, OutcomeStore } from "./outcomes.ts";
import type { Action } from "./reconcile.ts";
import { ensureConsumer, ensureStream, ensureStreams, NANOS_PER_MS, type WantedStream } from "./streams.ts";

export interface Provisioned {
  kind: "stream" | "bucket" | "consumer";
  name: string;
  action: Action;
}

/** The outcome bucket's stream, with the settings the host relies on. */
function outcomeBucket(nc: NatsConnection, config: RuntimeConfig): WantedStream {
  return {
    name: `KV_${config.outcomesBucket}`,
    settings: {
      max_msgs_per_subject: OUTCOME_HISTORY,
      max_age: OUTCOME_RETENTION_MS * NANOS_PER_MS,
      num_replicas: config.streamReplicas ?? 1,
      // The functions' users may read their records by direct get only (deploy/nats/permissions.ts).
      allow_direct: true,
    },
    // The KV library lays out the rest of a bucket's stream (subjects, roll-ups, discard policy).
    create: () => OutcomeStore.open(nc, config.outcomesBucket, config.streamReplicas),
  };
}

/**
 * Makes (`config.provisioning` create) or checks (bind) what `functions` need; what `icnctl
 * provision` runs with create, and every host at start. `onStep` hears of each object as it is done.
 */
export async function provisionBus(
  nc: NatsConnection,
  config: RuntimeConfig,
  functions: readonly AnyFunction[],
  onStep: (step: Provisioned) => void = () => undefined,
): Promise<Provisioned[]> {
  const jsm = await jetstreamManager(nc);
  const steps: Provisioned[] = [];
  const done = (step: Provisioned): void => {
    steps.push(step);
    onStep(step);
  };
  for (const stream of await ensureStreams(jsm, config)) done({ kind: "stream", ...stream });
  const bucket = outcomeBucket(nc, config);
  done({ kind: "bucket", name: config.outcomesBucket, action: await ensureStream(jsm, config, bucket) });
  for (const fn of functions)
    done({ kind: "consumer", name: fn.name, action: await ensureConsumer(jsm, config, fn) });
  return steps;
}
