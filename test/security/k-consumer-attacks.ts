// K: what a compromised function tries to read every event on the bus with, and how its own pulls look.
import { AckPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { subjectOf } from "../../schemas/events.ts";
import type { RuntimeConfig } from "../../shared/config.ts";

export interface Attack {
  what: string;
  attempt: () => Promise<unknown>;
}

/** A JetStream API request by hand: an error in the answer is a failure too, not a success. */
async function apiCall(nc: NatsConnection, subject: string, body: object): Promise<unknown> {
  const answer = (await nc.request(subject, JSON.stringify(body), { timeout: 3000 })).json<{
    error?: object;
  }>();
  if (answer.error) throw new Error(`${subject}: ${JSON.stringify(answer.error)}`);
  return answer;
}

/** Every way a function's user could get a consumer that delivers `<prefix>.>` (or tenant.requested) to it. */
export async function consumerAttacks(
  nc: NatsConnection,
  config: RuntimeConfig,
  fn: string,
): Promise<Attack[]> {
  const jsm = await jetstreamManager(nc);
  const stream = config.eventsStream;
  const everything = `${config.prefix}.>`;
  const requests = subjectOf(config.prefix, "tenant.requested");
  return [
    {
      what: `${fn} re-filters its own consumer to ${everything}`,
      attempt: () => jsm.consumers.update(stream, fn, { filter_subjects: [everything] }),
    },
    {
      // The newer API names the consumer and its one filter in the subject.
      what: `${fn} re-filters its own consumer through CONSUMER.CREATE.${stream}.${fn}.${everything}`,
      attempt: () =>
        apiCall(nc, `$JS.API.CONSUMER.CREATE.${stream}.${fn}.${everything}`, {
          stream_name: stream,
          config: { name: fn, durable_name: fn, filter_subject: everything, ack_policy: AckPolicy.Explicit },
        }),
    },
    {
      what: `${fn} creates a durable consumer of its own on ${requests}`,
      attempt: () =>
        jsm.consumers.add(stream, {
          durable_name: `${fn}-spy`,
          filter_subjects: [requests],
          ack_policy: AckPolicy.Explicit,
        }),
    },
    {
      what: `${fn} creates an ephemeral consumer on ${requests}`,
      attempt: () => jsm.consumers.add(stream, { filter_subject: requests, ack_policy: AckPolicy.None }),
    },
  ];
}

/** Pulls what is waiting on the function's own consumer, acks each (confirmed), and returns the subjects. */
export async function pullOwn(nc: NatsConnection, config: RuntimeConfig, fn: string): Promise<string[]> {
  const consumer = await jetstream(nc).consumers.get(config.eventsStream, fn);
  const subjects: string[] = [];
  for await (const msg of await consumer.fetch({ max_messages: 100, expires: 2000 })) {
    subjects.push(msg.subject);
    await msg.ackAck();
    if (msg.info.pending === 0) break;
  }
  return subjects;
}
