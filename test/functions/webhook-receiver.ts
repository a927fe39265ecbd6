// A local webhook receiver for the notifier tests: answers by script and records every request it got.
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  headers: IncomingHttpHeaders;
  body: Buffer;
  status: number;
}

/** A number answers at once; a promise answers when it resolves (a receiver that hangs until released). */
export type Script = (n: number) => number | Promise<number>;

export interface Receiver {
  url: string;
  requests: Received[];
  close(): Promise<void>;
}

export async function startReceiver(script: Script): Promise<Receiver> {
  const requests: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const entry: Received = { headers: req.headers, body: Buffer.concat(chunks), status: 0 };
      requests.push(entry);
      void Promise.resolve(script(requests.length)).then((status) => {
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
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
