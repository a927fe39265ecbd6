// The console's API: each route reads what the CLI reads (or acts as the CLI acts) and answers JSON.
import type { IncomingMessage, ServerResponse } from "node:http";
import { EVENT_NAMES } from "../schemas/events.ts";
import { deadLetter, deadLetters, redriveDeadLetter, replayEvent, replayPlanFor } from "./actions.ts";
import { functionsOverview } from "./functions.ts";
import { historyPage } from "./history.ts";
import { HttpError, readJson, sendJson } from "./http.ts";
import { kubeEventsFor } from "./kube-events.ts";
import { filterOf } from "./rows.ts";
import type { ConsoleContext } from "./server.ts";
import { eventsOf, storyOf } from "./story.ts";
import { tenantDetail, tenantList } from "./tenants.ts";

type Params = { url: URL; match: RegExpExecArray; req: IncomingMessage; res: ServerResponse };
type Handler = (ctx: ConsoleContext, p: Params) => Promise<unknown>;

const positive = (text: string | null | undefined, what: string): number | undefined => {
  if (text === null || text === undefined || text === "") return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new HttpError(400, `${what} must be a positive integer`);
  return n;
};

const optionalText = (value: unknown): string | undefined =>
  typeof value === "string" && value.trim() ? value.trim() : undefined;

async function story(ctx: ConsoleContext, { url, match }: Params): Promise<unknown> {
  const id = decodeURIComponent(match[1] ?? "");
  const found = await storyOf(ctx.session, id, positive(url.searchParams.get("seq"), "seq"));
  if (!found) throw new HttpError(404, `no stored event has id ${id}`);
  const kubeEvents = await kubeEventsFor(ctx.kube, eventsOf(found.root)).catch((err: unknown) => ({
    error: `the apiserver did not answer: ${String(err)}`,
  }));
  return { ...found, kubeEvents };
}

const GET: [RegExp, Handler][] = [
  [
    /^\/api\/events$/,
    (ctx, { url }) =>
      historyPage(ctx.session, filterOf(url.searchParams), {
        before: positive(url.searchParams.get("before"), "before"),
        limit: Math.min(positive(url.searchParams.get("limit"), "limit") ?? 100, 500),
      }),
  ],
  [/^\/api\/story\/([^/]+)$/, story],
  [/^\/api\/dead-letters$/, (ctx) => deadLetters(ctx.session)],
  [/^\/api\/dead-letters\/(\d+)$/, (ctx, { match }) => deadLetter(ctx.session, Number(match[1]))],
  [
    /^\/api\/replay-plan\/([^/]+)$/,
    (ctx, { match, url }) =>
      replayPlanFor(
        ctx.session,
        decodeURIComponent(match[1] ?? ""),
        optionalText(url.searchParams.get("to")),
      ),
  ],
  [/^\/api\/tenants$/, (ctx) => tenantList(ctx.kube)],
  [/^\/api\/tenants\/([a-z0-9-]+)$/, (ctx, { match }) => tenantDetail(ctx.kube, match[1] ?? "")],
  [/^\/api\/functions$/, (ctx) => functionsOverview(ctx.session, ctx.kube)],
  [/^\/api\/types$/, () => Promise.resolve([...EVENT_NAMES].sort())],
];

const POST: [RegExp, Handler][] = [
  [
    /^\/api\/dead-letters\/(\d+)\/redrive$/,
    async (ctx, { match, req }) => {
      const reason = optionalText((await readJson(req)).reason) ?? "";
      return redriveDeadLetter(ctx.session, { id: Number(match[1]), reason }, ctx.operator);
    },
  ],
  [
    /^\/api\/replay$/,
    async (ctx, { req }) => {
      const body = await readJson(req);
      const eventId = optionalText(body.eventId);
      if (!eventId) throw new HttpError(400, "eventId is required");
      const request = { eventId, to: optionalText(body.to), reason: optionalText(body.reason) ?? "" };
      return replayEvent(ctx.session, request, ctx.operator);
    },
  ],
];

export async function routeApi(
  ctx: ConsoleContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  if (req.method === "GET" && url.pathname === "/api/live")
    return ctx.live.watch(res, filterOf(url.searchParams));
  const routes = req.method === "GET" ? GET : req.method === "POST" ? POST : [];
  for (const [pattern, handler] of routes) {
    const match = pattern.exec(url.pathname);
    if (match) return sendJson(res, 200, await handler(ctx, { url, match, req, res }));
  }
  throw new HttpError(404, `no such API: ${req.method ?? ""} ${url.pathname}`);
}
