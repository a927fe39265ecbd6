// /healthz (process alive), /readyz (connected and consuming), /metrics (Prometheus text).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

export interface Probes {
  ready: () => boolean;
  registry: Registry;
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
    server.once("error", reject);
    server.listen(address.port, address.host, resolve);
  });
  return { server, port: (server.address() as AddressInfo).port };
}
