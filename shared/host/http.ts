// /healthz (process alive), /readyz (connected and consuming), /metrics (Prometheus text).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

export interface Probes {
  ready: () => boolean;
  registry: Registry;
}

/** Two hosts on one machine (a second `icnctl run`) want the same port: say which setting moves it. */
function portTaken(address: { host: string; port: number }, cause: Error): Error {
  return new Error(
    `${address.host}:${address.port} is already in use (another host or icnctl run?): set ICN_HTTP_PORT to a free port, or to 0 to have one picked`,
    { cause },
  );
}

export async function startHttp(
  address: { host: string; port: number },
  probes: Probes,
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/healthz") return void res.writeHead(200).end("ok\n");
    if (path === "/readyz") {
      const ready = probes.ready();
      return void res.writeHead(ready ? 200 : 503).end(ready ? "ready\n" : "not ready\n");
    }
    if (path === "/metrics") {
      probes.registry.metrics().then(
        (text) => res.writeHead(200, { "content-type": probes.registry.contentType }).end(text),
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
      return;
    }
    res.writeHead(404).end("not found\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) =>
      reject(err.code === "EADDRINUSE" ? portTaken(address, err) : err),
    );
    server.listen(address.port, address.host, resolve);
  });
  return { server, port: (server.address() as AddressInfo).port };
}
