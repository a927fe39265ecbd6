// The HTTP ingress for ticketing systems: routes, per-request logs, and a close() that drains.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { DEFAULT_MAX_CLOCK_SKEW_MS } from "../clock.ts";
import type { RuntimeConfig } from "../config.ts";
import type { Logger } from "../logging.ts";
import { OutcomeStore } from "../host/outcomes.ts";
import { EVENT_PATH_PREFIX, getEvent, type GetDeps } from "./get-event.ts";
import { postEvents, type PostDeps } from "./post-events.ts";
import { sendJson, sendProblem } from "./respond.ts";
import type { IngressSource } from "./sources.ts";

export interface IngressOptions {
  nc: NatsConnection;
  config: RuntimeConfig;
  sources: readonly IngressSource[];
  log: Logger;
  /** Largest request body accepted (a whole batch); defaults to the runtime's event size limit. */
  maxBytes?: number;
  /** How far ahead of this clock an event `time` may be (ICN_MAX_CLOCK_SKEW_MS); later times are refused. */
  maxClockSkewMs?: number;
  /** 127.0.0.1 unless told otherwise: exposing it is a deliberate act. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
}

export interface Ingress {
  port: number;
  /** Stops accepting connections and waits for requests in progress. */
  close(): Promise<void>;
}

type Deps = PostDeps & GetDeps;

const CLOSE_GRACE_MS = 10_000;

async function route(req: IncomingMessage, res: ServerResponse, deps: Deps, log: Logger): Promise<void> {
  const path = (req.url ?? "/").split("?", 1)[0] ?? "/";
  if (path === "/healthz") return sendJson(res, 200, { status: "ok" });
  if (path === "/events") {
    if (req.method === "POST") return postEvents(req, res, deps, log);
    return sendProblem(res, 405, { message: "use POST /events", headers: { allow: "POST" } });
  }
  if (path.startsWith(EVENT_PATH_PREFIX) && path.length > EVENT_PATH_PREFIX.length) {
    if (req.method === "GET") return getEvent(req, res, deps, log);
    return sendProblem(res, 405, { message: "use GET /events/{id}", headers: { allow: "GET" } });
  }
  sendProblem(res, 404, { message: `no such path ${path}; POST /events or GET /events/{id}` });
}

function handler(deps: Deps, log: Logger) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const requestLog = log.child({ requestId: randomUUID() });
    const started = Date.now();
    res.once("finish", () =>
      requestLog.info(
        { method: req.method, path: req.url, status: res.statusCode, ms: Date.now() - started },
        "request",
      ),
    );
    route(req, res, deps, requestLog).catch((err: unknown) => {
      // NATS down or slow is the likely cause; the client may retry: ids make that safe.
      requestLog.error({ err }, "request failed");
      if (!res.headersSent)
        sendProblem(res, 503, {
          message: "the bus is unavailable; retry later",
          headers: { "retry-after": "5" },
        });
      else res.destroy();
    });
  };
}

export async function startIngress(options: IngressOptions): Promise<Ingress> {
  const { nc, config, log } = options;
  const deps: Deps = {
    js: jetstream(nc),
    prefix: config.prefix,
    sources: options.sources,
    maxBytes: options.maxBytes ?? config.maxPayloadBytes,
    maxClockSkewMs: options.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS,
    outcomes: await OutcomeStore.open(nc, config.outcomesBucket),
  };
  const server = createServer(handler(deps, log));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve);
  });
  const port = (server.address() as AddressInfo).port;
  log.info(
    {
      host: options.host ?? "127.0.0.1",
      port,
      sources: options.sources.map((s) => s.name),
      maxBytes: deps.maxBytes,
      maxClockSkewMs: deps.maxClockSkewMs,
    },
    "ingress listening",
  );
  return {
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // A client that keeps its connection open after its answer must not hold the drain up for ever.
        const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS).unref();
        server.close((err) => (clearTimeout(force), err ? reject(err) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
