// POST /events: authenticate, read within the limit, decode, check every event, then publish all or none.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { CloudEvent } from "cloudevents";
import { Mode } from "cloudevents";
import type { JetStreamClient } from "@nats-io/jetstream";
import { publishEvent } from "../events.ts";
import type { Logger } from "../logging.ts";
import { authenticate } from "./auth.ts";
import { BodyTooLarge, readBody } from "./body.ts";
import { checkCandidate, type CheckContext } from "./check.ts";
import { decodeRequest, modeOf, BATCH_TYPE, STRUCTURED_TYPE, type Decoded } from "./decode.ts";
import { sendJson, sendProblem } from "./respond.ts";
import type { IngressSource } from "./sources.ts";

export interface PostDeps {
  js: JetStreamClient;
  prefix: string;
  sources: readonly IngressSource[];
  maxBytes: number;
  /** How far ahead of this clock an event `time` may be. */
  maxClockSkewMs: number;
}

const UNSUPPORTED = `send ${STRUCTURED_TYPE}, ${BATCH_TYPE}, or binary mode: ce-* headers and a JSON body`;

export function unauthorized(res: ServerResponse, reason: "missing" | "invalid"): void {
  const challenge =
    reason === "missing" ? 'Bearer realm="icn-ingress"' : 'Bearer realm="icn-ingress", error="invalid_token"';
  const message =
    reason === "missing" ? "an Authorization: Bearer <token> header is required" : "the token is not valid";
  sendProblem(res, 401, { message, headers: { "www-authenticate": challenge } });
}

/** Undefined when the answer (413) is already sent. */
async function readWithinLimit(
  req: IncomingMessage,
  res: ServerResponse,
  maxBytes: number,
): Promise<Buffer | undefined> {
  try {
    return await readBody(req, maxBytes);
  } catch (err) {
    if (!(err instanceof BodyTooLarge)) throw err;
    // The rest of the body is never read, so this connection cannot carry another request.
    sendProblem(res, 413, { message: err.message, headers: { connection: "close" } });
    return undefined;
  }
}

async function publishAll(
  deps: PostDeps,
  events: CloudEvent<unknown>[],
  log: Logger,
): Promise<{ ids: string[]; duplicates: string[] }> {
  const duplicates: string[] = [];
  // In order, so the stream keeps the batch's order (provision-tenant orders equal times by sequence).
  for (const event of events) {
    const ack = await publishEvent(deps.js, deps.prefix, event);
    if (ack.duplicate) duplicates.push(event.id);
    log.info(
      {
        eventId: event.id,
        type: event.type,
        eventSource: event.source,
        seq: ack.seq,
        duplicate: ack.duplicate,
      },
      "event accepted",
    );
  }
  return { ids: events.map((e) => e.id), duplicates };
}

function answerChecks(
  res: ServerResponse,
  decoded: Decoded & { ok: true },
  context: CheckContext,
  log: Logger,
): CloudEvent<unknown>[] | undefined {
  const { source } = context;
  const verdicts = decoded.candidates.map((c) => checkCandidate(c, context));
  const eventIds = decoded.candidates.map((c) => c.attributes.get("id"));
  const forbidden = verdicts.flatMap((v) => v.forbidden);
  if (forbidden.length) {
    log.warn({ status: 403, eventIds, issues: forbidden }, "events refused");
    sendProblem(res, 403, { message: `source "${source.name}" may not publish this`, issues: forbidden });
    return undefined;
  }
  const invalid = verdicts.flatMap((v) => v.invalid);
  if (invalid.length) {
    log.warn({ status: 400, eventIds, issues: invalid }, "invalid events");
    sendProblem(res, 400, {
      message: `${invalid.length} problem(s); nothing was published`,
      issues: invalid,
    });
    return undefined;
  }
  return verdicts.map((v) => v.event as CloudEvent<unknown>);
}

export async function postEvents(
  req: IncomingMessage,
  res: ServerResponse,
  deps: PostDeps,
  log: Logger,
): Promise<void> {
  const auth = authenticate(req.headers.authorization, deps.sources);
  if (!auth.ok) return unauthorized(res, auth.reason);
  const sourceLog = log.child({ ingressSource: auth.source.name });
  const mode = modeOf(req);
  if (!mode)
    return sendProblem(res, 415, {
      message: `Content-Type "${req.headers["content-type"] ?? ""}" is not supported; ${UNSUPPORTED}`,
    });
  const body = await readWithinLimit(req, res, deps.maxBytes);
  if (!body) return sourceLog.warn({ status: 413, limit: deps.maxBytes }, "body too large");
  const decoded = decodeRequest(req, mode, body);
  if (!decoded.ok) {
    sourceLog.warn({ status: 400, issues: decoded.issues }, "undecodable request");
    return sendProblem(res, 400, { message: "the request is not a CloudEvent", issues: decoded.issues });
  }
  const context = { source: auth.source, now: Date.now(), maxClockSkewMs: deps.maxClockSkewMs };
  const events = answerChecks(res, decoded, context, sourceLog);
  if (!events) return;
  const { ids, duplicates } = await publishAll(deps, events, sourceLog);
  if (mode !== Mode.BATCH)
    return sendJson(res, 202, duplicates.length ? { id: ids[0], duplicate: true } : { id: ids[0] });
  sendJson(res, 202, duplicates.length ? { ids, duplicates } : { ids });
}
