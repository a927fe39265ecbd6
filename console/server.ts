// The console's server: checks who is asking (token, session cookie, CSRF), then hands the request to
// the page's files or the API. It reads the platform; it keeps nothing but the sessions in memory.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Session } from "../cli/context.ts";
import { repoRoot } from "../deploy/local/paths.ts";
import type { Kube } from "../shared/kube.ts";
import { routeApi } from "./api.ts";
import { Sessions, sameSecret } from "./auth.ts";
import { HttpError, readJson, secure, sendError, sendJson, sendStatic } from "./http.ts";
import { LiveFeed } from "./live.ts";

export const WEB_DIR = join(repoRoot, "console", "web");

export interface ConsoleOptions {
  session: Session;
  kube: Kube;
  /** The shared credential; one is generated when absent. */
  token?: string;
  host: string;
  port: number;
  allowActions: boolean;
  /** Who the audit records as acting (ICN_OPERATOR or the account that started the console). */
  operator: string;
}

export interface ConsoleContext extends ConsoleOptions {
  live: LiveFeed;
}

export interface RunningConsole {
  url: string;
  token: string;
  server: Server;
  close(): Promise<void>;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * On loopback, only requests addressed to loopback: a web page elsewhere cannot reach the console by
 * pointing its own DNS name at 127.0.0.1 (DNS rebinding).
 */
function hostAllowed(req: IncomingMessage, listen: string): boolean {
  if (!LOOPBACK.has(listen) && listen !== "::1") return true;
  const host = (req.headers.host ?? "").replace(/:\d+$/, "");
  return LOOPBACK.has(host);
}

/** A state-changing request from another origin is refused whatever it carries. */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  return (
    origin === undefined ||
    origin === `http://${req.headers.host}` ||
    origin === `https://${req.headers.host}`
  );
}

function bearer(req: IncomingMessage): string | undefined {
  const match = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "");
  return match?.[1];
}

async function login(
  ctx: ConsoleContext,
  sessions: Sessions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const body = await readJson(req);
  const opened = sessions.login(typeof body.token === "string" ? body.token : "");
  if (!opened) throw new HttpError(401, "wrong token");
  res.setHeader("set-cookie", opened.cookie);
  sendJson(res, 200, { csrf: opened.csrf, allowActions: ctx.allowActions, operator: ctx.operator });
}

/** The page and its scripts and styles: public, like a login form; everything they show comes from the API. */
async function page(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const name = path === "/" ? "index.html" : path.replace(/^\/static\//, "");
  if (!(await sendStatic(res, WEB_DIR, name))) throw new HttpError(404, "no such page");
}

const isPage = (req: IncomingMessage, path: string): boolean =>
  (req.method === "GET" || req.method === "HEAD") && !path.startsWith("/api/");

const requestUrl = (req: IncomingMessage): URL => new URL(req.url ?? "/", "http://console");

/** Whoever is not logged in (cookie) or holding the token (bearer, for scripts) gets nothing. */
function requireCaller(sessions: Sessions, req: IncomingMessage): void {
  const token = bearer(req);
  if (sessions.sessionOf(req) || (token && sameSecret(token, sessions.credential))) return;
  throw new HttpError(401, "log in first: the console's token was printed when it started");
}

/** An action needs --allow-actions, the session cookie and its CSRF token (a bearer alone is not enough). */
function requireAction(ctx: ConsoleContext, sessions: Sessions, req: IncomingMessage): void {
  if (!ctx.allowActions) throw new HttpError(403, "this console is read-only: start it with --allow-actions");
  if (!sessions.csrfValid(req)) throw new HttpError(403, "missing or wrong CSRF token");
}

async function handle(
  ctx: ConsoleContext,
  sessions: Sessions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = requestUrl(req);
  const path = url.pathname;
  if (isPage(req, path)) return page(req, res, path);
  if (req.method !== "GET" && !sameOrigin(req)) throw new HttpError(403, "cross-origin request refused");
  if (req.method === "POST" && path === "/api/login") return login(ctx, sessions, req, res);
  if (req.method === "POST" && path === "/api/logout")
    return sendJson(res.setHeader("set-cookie", sessions.logout(req)), 200, {});
  requireCaller(sessions, req);
  if (path === "/api/session") {
    const csrf = sessions.sessionOf(req)?.csrf;
    return sendJson(res, 200, { csrf, allowActions: ctx.allowActions, operator: ctx.operator });
  }
  if (req.method !== "GET") requireAction(ctx, sessions, req);
  await routeApi(ctx, req, res, url);
}

export async function startConsole(options: ConsoleOptions): Promise<RunningConsole> {
  const sessions = new Sessions(options.token);
  const ctx: ConsoleContext = { ...options, live: new LiveFeed(options.session) };
  const server = createServer((req, res) => {
    secure(res);
    if (!hostAllowed(req, options.host)) return sendError(res, new HttpError(421, "unexpected Host header"));
    handle(ctx, sessions, req, res).catch((err: unknown) => sendError(res, err));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}/`,
    token: sessions.credential,
    server,
    close: async () => {
      ctx.live.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
