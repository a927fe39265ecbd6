// The probe server: a taken port is refused with the setting that moves it.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Registry } from "prom-client";
import { startHttp } from "./http.ts";

const probes = { ready: (): boolean => true, registry: new Registry() };

test("a port already in use is refused naming ICN_HTTP_PORT, and port 0 picks a free one", async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
  const port = (taken.address() as AddressInfo).port;
  try {
    await expect(startHttp({ host: "127.0.0.1", port }, probes)).rejects.toThrow(
      `127.0.0.1:${port} is already in use (another host or icnctl run?): set ICN_HTTP_PORT to a free port, or to 0 to have one picked`,
    );
    const free = await startHttp({ host: "127.0.0.1", port: 0 }, probes);
    expect(free.port).not.toBe(port);
    free.server.close();
  } finally {
    taken.close();
  }
});
