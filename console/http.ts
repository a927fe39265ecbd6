// The console's HTTP plumbing: security headers on every answer, the page's static files, JSON in and out.
import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { CliError, EXIT } from "../cli/errors.ts";

/** No inline script or style anywhere, nothing from another origin, never framed. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

const SECURITY_HEADERS = {
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
} as const;

export function secure(res: ServerResponse): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

export class HttpError extends Error {
  override readonly name = "HttpError";
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

const STATUS_OF_EXIT: Record<number, number> = {
  [EXIT.usage]: 400,
  [EXIT.notFound]: 404,
  [EXIT.partial]: 409,
};

/** The CLI's errors keep their meaning: a usage error is 400, not found 404; the hint goes along. */
export function sendError(res: ServerResponse, err: unknown): void {
  if (res.headersSent) return void res.end();
  if (err instanceof HttpError) return sendJson(res, err.status, { error: err.message });
  if (err instanceof CliError)
    return sendJson(res, STATUS_OF_EXIT[err.exitCode] ?? 502, { error: err.message, hint: err.hint });
  sendJson(res, 500, { error: err instanceof Error ? err.message : String(err) });
}

const MAX_BODY = 64 * 1024;

export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  if (!/^application\/json\b/.test(req.headers["content-type"] ?? ""))
    throw new HttpError(415, "send application/json");
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new HttpError(413, "request body too large");
    chunks.push(chunk);
  }
  try {
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
    if (body && typeof body === "object" && !Array.isArray(body)) return body as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new HttpError(400, "the body must be a JSON object");
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};
/** Only plain file names of the page's own kinds: no path can leave the folder. */
const STATIC_NAME = /^[a-z0-9-]+\.(html|js|css|svg|png)$/;

/** Serves console/web/<name>; false when the name is not one of its files. */
export async function sendStatic(res: ServerResponse, dir: string, name: string): Promise<boolean> {
  if (!STATIC_NAME.test(name)) return false;
  const body = await readFile(join(dir, name)).catch(() => undefined);
  if (!body) return false;
  res.writeHead(200, {
    "content-type": TYPES[name.slice(name.lastIndexOf("."))] ?? "application/octet-stream",
    "content-length": body.length,
    "cache-control": "no-cache",
  });
  res.end(body);
  return true;
}
