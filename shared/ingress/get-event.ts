// GET /events/{id}: what each function did with an event, for the source that sent it.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../logging.ts";
import type { OutcomeStore } from "../host/outcomes.ts";
import { authenticate, mayUseSource } from "./auth.ts";
import { unauthorized } from "./post-events.ts";
import { sendJson, sendProblem } from "./respond.ts";
import type { IngressSource } from "./sources.ts";

export interface GetDeps {
  outcomes: OutcomeStore;
  sources: readonly IngressSource[];
}

function decodeId(encoded: string): string | undefined {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return undefined;
  }
}

export const EVENT_PATH_PREFIX = "/events/";

/** `GET /events/{id}`; the id is percent-encoded in the path. */
export async function getEvent(
  req: IncomingMessage,
  res: ServerResponse,
  deps: GetDeps,
  log: Logger,
): Promise<void> {
  const encodedId = (req.url ?? "").split("?", 1)[0]?.slice(EVENT_PATH_PREFIX.length) ?? "";
  const auth = authenticate(req.headers.authorization, deps.sources);
  if (!auth.ok) return unauthorized(res, auth.reason);
  const id = decodeId(encodedId);
  if (!id)
    return sendProblem(res, 400, {
      message: "the event id in the path is not validly percent-encoded",
      issues: [{ path: "id", message: "bad percent-encoding" }],
    });
  // A source sees only the outcomes of events from its own sources: ids are not secrets.
  const outcomes = (await deps.outcomes.forEventId(id)).filter((o) =>
    mayUseSource(auth.source, o.event.source),
  );
  log.info({ eventId: id, ingressSource: auth.source.name, outcomes: outcomes.length }, "outcomes read");
  if (!outcomes.length)
    return sendProblem(res, 404, { message: `no outcome recorded for event "${id}" (yet)` });
  sendJson(res, 200, { id, outcomes });
}
