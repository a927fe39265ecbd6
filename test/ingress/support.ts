// Shared pieces of the ingress tests: two configured sources, HTTP helpers, and reading what reached the bus.
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { CloudEvent } from "cloudevents";
import { pino, type Logger } from "pino";
import type { RuntimeConfig } from "../../shared/config.ts";
import { newEvent } from "../../shared/events.ts";
import { parseSources, type IngressSource, type SourceEntry } from "../../shared/ingress/sources.ts";
import { aPodUnsafe, aTenantRequested } from "../../schemas/fixtures.ts";
import { spawnNode, type Spawned } from "../harness/processes.ts";
import { streamMessages, type StoredMessage } from "../runtime/support.ts";

export const PORTAL_TOKEN = "portal-token-0123456789abcdef";
export const DETECTOR_TOKEN = "detector-token-0123456789abcdef";
export const PORTAL_SOURCE = "https://portal.example.com";
export const DETECTOR_SOURCE = "urn:detector";

/** The portal sends tenant requests with a plain token; the detector's file entry holds only a hash. */
export function sourceEntries(): SourceEntry[] {
  const hashed = `sha256:${createHash("sha256").update(DETECTOR_TOKEN).digest("hex")}`;
  return [
    { name: "portal", token: PORTAL_TOKEN, allowedTypes: ["tenant.requested"], sourcePattern: PORTAL_SOURCE },
    {
      name: "detector",
      token: hashed,
      allowedTypes: ["pod.unsafe", "node.joined"],
      sourcePattern: DETECTOR_SOURCE,
    },
  ];
}

/** A sources file as an operator would write it, in a fresh temporary folder. */
export function sourcesFile(entries: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), "icn-ingress-")), "sources.json");
  writeFileSync(file, JSON.stringify(entries));
  return file;
}

/** `icnctl ingress` as its own process (shared/ingress/main.ts), listening on a free port of 127.0.0.1. */
export async function ingressProcess(
  config: RuntimeConfig,
  entries: unknown,
  env: Record<string, string> = {},
): Promise<{ process: Spawned; url: string; host: string }> {
  const process = spawnNode("shared/ingress/main.ts", {
    NATS_URL: config.natsUrl,
    ICN_SUBJECT_PREFIX: config.prefix,
    ICN_INGRESS_SOURCES: sourcesFile(entries),
    ICN_INGRESS_PORT: "0",
    ICN_LOG_LEVEL: "info",
    ...env,
  });
  await process.waitFor(/"msg":"ingress listening"/);
  const [, host = "", port = ""] = /"host":"([^"]+)","port":(\d+)/.exec(process.output()) ?? [];
  return { process, url: `http://127.0.0.1:${port}`, host };
}

export const testSources = (): IngressSource[] => parseSources(sourceEntries());
export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

export function tenantRequest(
  source = `${PORTAL_SOURCE}/tickets/1`,
  data: unknown = aTenantRequested(),
): CloudEvent<unknown> {
  return newEvent({ name: "tenant.requested", source, data });
}

export function podUnsafe(source = `${DETECTOR_SOURCE}:pods`): CloudEvent<unknown> {
  return newEvent({ name: "pod.unsafe", source, data: aPodUnsafe() });
}

export interface Answer {
  status: number;
  headers: Headers;
  json: Record<string, unknown>;
}

export async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(url, init);
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    json: (text ? JSON.parse(text) : {}) as Record<string, unknown>,
  };
}

/** A body without a Content-Length, in several chunks: the ingress must count as it reads. */
export function postChunked(
  url: string,
  headers: Record<string, string>,
  chunks: string[],
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: "POST", headers: { ...headers, "transfer-encoding": "chunked" } },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

export const paths = (answer: Answer): string[] =>
  ((answer.json.issues ?? []) as { path: string }[]).map((i) => i.path);

/** Messages on the bus carrying this event id (binary mode puts it in the ce-id header). */
export async function onBus(nc: NatsConnection, config: RuntimeConfig, id: string): Promise<StoredMessage[]> {
  return (await streamMessages(nc, config.eventsStream)).filter((m) => m.headers["ce-id"]?.[0] === id);
}

export const dataOf = (message: StoredMessage): unknown => JSON.parse(new TextDecoder().decode(message.data));

/** A logger whose JSON lines the test can read back. */
export function capturingLogger(): { log: Logger; lines: () => Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done): void {
      for (const line of chunk.toString().split("\n").filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level: "info" }, sink), lines: () => lines };
}
