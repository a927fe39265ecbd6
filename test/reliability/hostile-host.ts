// A host process for the hostile-input scenario: fed raw messages, asked for its heap after GC, watched until it settles.
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { headers as natsHeaders, type NatsConnection } from "@nats-io/transport-node";
import { subjectOf } from "../../schemas/events.ts";
import type { NatsMessage } from "../../shared/cloudevents/nats-binding.ts";
import type { RuntimeConfig } from "../../shared/config.ts";
import { DLQ_HEADERS } from "../../shared/host/dead-letter.ts";
import { spawnNode } from "../harness/processes.ts";
import { publishRawHeaderBlock } from "../harness/raw-nats.ts";
import { waitUntil } from "../runtime/support.ts";
import { identityEnv } from "./identities.ts";
import { countByHeaders } from "./counts.ts";

const FIXTURE = "test/reliability/fixtures/function-host.ts";
const FUNCTIONS = ["provision-tenant", "quarantine-runc-pod"] as const;
const SUBJECTS = ["tenant.requested", "pod.unsafe"] as const;

export interface Memory {
  heapUsed: number;
  rss: number;
}

export interface HostileHost {
  /** Heap after a full GC (the fixture runs with --expose-gc) and RSS, as the process reports them. */
  memory(): Promise<Memory>;
  /** Both consumers have nothing left to deliver and nothing unacknowledged. */
  idle(timeoutMs: number): Promise<void>;
  /**
   * Publishes as a hostile client would: through nats.js, or, for headers nats.js refuses to write (CR/LF,
   * odd names), through the bare protocol. Counts those, and what JetStream refused to store.
   */
  send(messages: readonly NatsMessage[]): Promise<{ raw: number; server: number }>;
  /** Dead letters so far, by "<code> after <attempts>". */
  deadLetters(): Promise<Map<string, number>>;
  alive(): boolean;
}

export async function startHostileHost(nc: NatsConnection, config: RuntimeConfig): Promise<HostileHost> {
  const host = spawnNode(FIXTURE, {
    NATS_URL: config.natsUrl,
    ICN_SUBJECT_PREFIX: config.prefix,
    ICN_HTTP_PORT: "0",
    ICN_LOG_LEVEL: "silent",
    ICN_MAX_PAYLOAD_BYTES: String(config.maxPayloadBytes),
    NODE_OPTIONS: "--expose-gc",
    ...identityEnv(),
  });
  await host.waitFor(/fixtureReady/);
  const js = jetstream(nc);
  let reports = 0;
  return {
    async memory(): Promise<Memory> {
      const marker = `"memoryReport":${++reports},`;
      host.child.kill("SIGUSR2");
      await host.waitFor(new RegExp(marker));
      const line = host
        .output()
        .split("\n")
        .find((l) => l.includes(marker));
      return JSON.parse(line ?? "{}") as Memory;
    },
    async idle(timeoutMs: number): Promise<void> {
      const jsm = await jetstreamManager(nc);
      const settled = async (): Promise<true | undefined> => {
        const infos = await Promise.all(FUNCTIONS.map((fn) => jsm.consumers.info(config.eventsStream, fn)));
        return infos.every((i) => i.num_pending === 0 && i.num_ack_pending === 0) ? true : undefined;
      };
      await waitUntil("the host to settle every message", settled, timeoutMs);
    },
    async send(messages: readonly NatsMessage[]): Promise<{ raw: number; server: number }> {
      const counts = { raw: 0, server: 0 };
      const refusedByJetStream = (): void => void counts.server++;
      for (let i = 0; i < messages.length; i += 50) {
        const batch = messages.slice(i, i + 50).map((m, j) => {
          const subject = subjectOf(config.prefix, SUBJECTS[(i + j) % 2]!);
          const hdrs = natsHeaders();
          try {
            for (const [k, v] of Object.entries(m.headers)) hdrs.set(k, v);
          } catch {
            counts.raw++;
            return publishRawHeaderBlock(config.natsUrl, subject, rawBlock(m.headers), m.payload).then(
              () => undefined,
              refusedByJetStream,
            );
          }
          // JetStream refuses some itself (headers over 64 KiB): they never reach a function.
          return js.publish(subject, m.payload, { headers: hdrs }).then(() => undefined, refusedByJetStream);
        });
        await Promise.all(batch);
      }
      return counts;
    },
    deadLetters: () =>
      countByHeaders(
        nc,
        config.deadLetterStream,
        (h) => `${h?.get(DLQ_HEADERS.code)} after ${h?.get(DLQ_HEADERS.attempts)}`,
      ),
    alive: () => host.child.exitCode === null && host.child.signalCode === null,
  };
}

/** The header block as a bare client writes it: each header on its own line, whatever it holds. */
function rawBlock(headers: Readonly<Record<string, string>>): string {
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  return ["NATS/1.0", ...lines, "", ""].join("\r\n");
}
