// Who may use the console: one shared token opens a session (an HttpOnly, SameSite=Strict cookie), and
// every action carries that session's CSRF token.
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

export const SESSION_COOKIE = "icn_console";
export const CSRF_HEADER = "x-csrf-token";
/** Sessions end after a working day; a stolen cookie is not good forever. */
const SESSION_TTL_MS = 12 * 3_600_000;

interface Session {
  csrf: string;
  expires: number;
}

const token = (): string => randomBytes(24).toString("base64url");

/** Compares in constant time, so a wrong guess says nothing of how close it was. */
export function sameSecret(given: string, expected: string): boolean {
  const [a, b] = [Buffer.from(given), Buffer.from(expected)];
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieOf(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return value.join("=");
  }
  return undefined;
}

export class Sessions {
  /** The credential: from the configuration, or generated and printed at start. */
  readonly credential: string;
  readonly #sessions = new Map<string, Session>();
  readonly #secureCookie: boolean;

  constructor(credential: string | undefined, options: { secureCookie?: boolean } = {}) {
    this.credential = credential || token();
    this.#secureCookie = options.secureCookie ?? false;
  }

  /** A new session for the right credential (its cookie header), else undefined. */
  login(given: string): { cookie: string; csrf: string } | undefined {
    if (!sameSecret(given, this.credential)) return undefined;
    const id = token();
    const session = { csrf: token(), expires: Date.now() + SESSION_TTL_MS };
    this.#sessions.set(id, session);
    const secure = this.#secureCookie ? "; Secure" : "";
    const cookie = `${SESSION_COOKIE}=${id}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${SESSION_TTL_MS / 1000}${secure}`;
    return { cookie, csrf: session.csrf };
  }

  logout(req: IncomingMessage): string {
    const id = cookieOf(req, SESSION_COOKIE);
    if (id) this.#sessions.delete(id);
    return `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`;
  }

  /** The request's live session, by cookie; expired ones are forgotten. */
  sessionOf(req: IncomingMessage): Session | undefined {
    const id = cookieOf(req, SESSION_COOKIE);
    const session = id ? this.#sessions.get(id) : undefined;
    if (!id || !session) return undefined;
    if (session.expires < Date.now()) {
      this.#sessions.delete(id);
      return undefined;
    }
    return session;
  }

  /** An action needs the session and its CSRF token in a header a cross-site form cannot set. */
  csrfValid(req: IncomingMessage): boolean {
    const session = this.sessionOf(req);
    const given = req.headers[CSRF_HEADER];
    return session !== undefined && typeof given === "string" && sameSecret(given, session.csrf);
  }
}
