// GET /events/{id}: what each function did with an event and what it emitted, for the source that sent
// it; for a result's id, the event it answers.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../logging.ts";
import type { Via } from "../host/outcome-history.ts";
import type { Outcome, OutcomeStore } from "../host/outcomes.ts";
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

/** Operators' names and reasons stay inside: a ticketing system learns only that a replay or redrive ran. */
const outward = (via: Via | undefined): Via | undefined => via && { kind: via.kind, id: via.id };

function outwardOutcome(outcome: Outcome): Outcome {
  const shown: Outcome = { ...outcome, via: outward(outcome.via) };
  if (outcome.history) shown.history = outcome.history.map((t) => ({ ...t, via: outward(t.via) }));
  return shown;
}

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
  // A source sees only the outcomes of events from its own sources, and of the results that answer
  // them: ids are not secrets.
  const records = await deps.outcomes.recordsOf(id);
  const resultOf = records.origins.find((o) => mayUseSource(auth.source, o.cause.source));
  const outcomes = records.outcomes
    .filter((o) => resultOf !== undefined || mayUseSource(auth.source, o.event.source))
    .map(outwardOutcome);
  log.info(
    { eventId: id, ingressSource: auth.source.name, outcomes: outcomes.length, result: !!resultOf },
    "outcomes read",
  );
  if (!outcomes.length && !resultOf)
    return sendProblem(res, 404, { message: `no outcome recorded for event "${id}" (yet)` });
  sendJson(res, 200, resultOf ? { id, resultOf, outcomes } : { id, outcomes });
}
