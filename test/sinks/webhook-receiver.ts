// A local webhook receiver for the notifier tests: verifies as a real one would, answers by script, records all.
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

/** With a secret: what `Webhook.verify` returned (the event the receiver acts on), or why it refused. */
export type Verified = { ok: true; event: unknown } | { ok: false; reason: string };

export interface Received {
  headers: IncomingHttpHeaders;
  body: Buffer;
  status: number;
  verified?: Verified;
}

/** A number answers at once; a promise answers when it resolves (a receiver that hangs until released). */
export type Script = (n: number) => number | Promise<number>;

export interface ReceiverOptions {
  /** The receiver-side secret (`whsec_…`); without it the receiver takes every request unverified. */
  secret?: string;
}

export interface Receiver {
  url: string;
  requests: Received[];
  /** The events it acted on: verified, answered 2xx, once per `webhook-id` as the spec asks. */
  actedOn: unknown[];
  close(): Promise<void>;
}

const REFUSED = 401;

function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(", ") : value;
  return flat;
}

function verify(
  webhook: Webhook | undefined,
  body: Buffer,
  headers: IncomingHttpHeaders,
): Verified | undefined {
  if (!webhook) return undefined;
  try {
    return { ok: true, event: webhook.verify(body, flatHeaders(headers)) };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}

export async function startReceiver(script: Script, options: ReceiverOptions = {}): Promise<Receiver> {
  const webhook = options.secret === undefined ? undefined : new Webhook(options.secret);
  const requests: Received[] = [];
  const actedOn: unknown[] = [];
  const seenIds = new Set<string>();
  const act = (entry: Received): void => {
    const id = String(entry.headers["webhook-id"]);
    if (!entry.verified?.ok || seenIds.has(id)) return;
    seenIds.add(id);
    actedOn.push(entry.verified.event);
  };
  const answer = async (entry: Received): Promise<number> => {
    if (entry.verified && !entry.verified.ok) return REFUSED;
    const status = await script(requests.length);
    if (status >= 200 && status < 300) act(entry);
    return status;
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const entry: Received = {
        headers: req.headers,
        body,
        status: 0,
        verified: verify(webhook, body, req.headers),
      };
      requests.push(entry);
      void answer(entry).then((status) => {
        entry.status = status;
        res
          .writeHead(status, { "content-type": "text/plain" })
          .end(status < 300 ? "thanks\n" : `failing with ${status}\n`);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    requests,
    actedOn,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
