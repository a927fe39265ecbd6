// `icnctl status [event-id]`: each function's backlog and failures, or what each function did with one event.
import { Command } from "commander";
import { retrySummary } from "../../shared/config.ts";
import { eventNameOfType } from "../../schemas/events.ts";
import type { ResultOrigin } from "../../shared/host/emitted.ts";
import { describeVia, transitionsOf, type Transition } from "../../shared/host/outcome-history.ts";
import type { Outcome } from "../../shared/host/outcomes.ts";
import { functionConsumers, type FunctionConsumer } from "../consumers.ts";
import { isStreamMissing, noEventsStream, withSession, type CliDeps, type Session } from "../context.ts";
import { deadLetterCounts, newestDeadLetter } from "../dead-letters.ts";
import { notFound } from "../errors.ts";
import { summary } from "../event-view.ts";
import { outputOption, printJson, printTable, type OutputFormat } from "../output.ts";

export interface FunctionStatus {
  function: string;
  /** Stored and not yet delivered. */
  pending: number;
  /** Delivered, not yet acknowledged. */
  inFlight: number;
  redeliveries: number;
  deadLetters: number;
  lastError?: string;
}

async function functionStatuses(session: Session): Promise<FunctionStatus[]> {
  const consumers = await functionConsumers(session.jsm, session.config.eventsStream).catch(
    (err: unknown) => {
      throw isStreamMissing(err) ? noEventsStream(session.config) : err;
    },
  );
  return statusesOf(session, consumers);
}

/** Each function's backlog from its consumer and its dead letters; the console shows the same. */
export async function statusesOf(session: Session, consumers: FunctionConsumer[]): Promise<FunctionStatus[]> {
  const dead = await deadLetterCounts(session);
  // A function whose consumer was removed still owns its dead letters.
  const names = [...new Set([...consumers.map((c) => c.name), ...dead.keys()])].sort();
  return Promise.all(
    names.map(async (name): Promise<FunctionStatus> => {
      const info = consumers.find((c) => c.name === name)?.info;
      const deadLetters = dead.get(name) ?? 0;
      const newest = deadLetters ? await newestDeadLetter(session, name) : undefined;
      return {
        function: name,
        pending: info?.num_pending ?? 0,
        inFlight: info?.num_ack_pending ?? 0,
        redeliveries: info?.num_redelivered ?? 0,
        deadLetters,
        lastError: newest && `${newest.code}: ${newest.error}`,
      };
    }),
  );
}

async function overview(session: Session, opts: { output: OutputFormat }): Promise<void> {
  const statuses = await functionStatuses(session);
  if (opts.output === "json") return printJson(statuses);
  printTable(
    statuses,
    [
      { header: "FUNCTION", value: (s) => s.function },
      { header: "PENDING", value: (s) => String(s.pending) },
      { header: "IN-FLIGHT", value: (s) => String(s.inFlight) },
      { header: "REDELIVERIES", value: (s) => String(s.redeliveries) },
      { header: "DEAD LETTERS", value: (s) => String(s.deadLetters) },
      { header: "LAST ERROR", value: (s) => s.lastError ?? "", max: 60 },
    ],
    "no functions have consumed this stream yet",
    opts.output,
  );
  // When a failing event reaches the dead letters, from this configuration: the docs point here.
  process.stdout.write(`\n${retrySummary(session.config.retry).text}\n`);
}

const stateOf = (o: Outcome): string => o.state + (o.via ? ` (${o.via.kind})` : o.replay ? " (replay)" : "");

function outcomesTable(outcomes: readonly Outcome[], output: OutputFormat): void {
  printTable<Outcome>(
    outcomes,
    [
      { header: "FUNCTION", value: (o) => o.function },
      { header: "STATE", value: stateOf },
      { header: "ATTEMPTS", value: (o) => String(o.attempts) },
      { header: "ERROR", value: (o) => (o.error ? `${o.error.code}: ${o.error.message}` : ""), max: 60 },
      { header: "RESULTS", value: (o) => o.results.join(",") },
      { header: "UPDATED", value: (o) => o.updatedAt },
    ],
    "",
    output,
  );
}

/** Each function that went through more than its current state: every kept step, oldest first. */
function histories(outcomes: readonly Outcome[], output: OutputFormat): void {
  for (const outcome of outcomes) {
    const { transitions, earlier } = transitionsOf(outcome);
    if (transitions.length < 2) continue;
    const before = earlier ? ` (${earlier} earlier not kept)` : "";
    process.stdout.write(`\nhistory of ${outcome.function}${before}:\n`);
    printTable<Transition>(
      transitions,
      [
        { header: "TIME", value: (t) => t.at },
        { header: "STATE", value: (t) => t.state },
        { header: "ATTEMPT", value: (t) => String(t.attempt) },
        { header: "ERROR", value: (t) => t.code ?? "" },
        { header: "VIA", value: (t) => describeVia(t.via), max: 80 },
      ],
      "",
      output,
    );
  }
}

/** What the functions emitted for the event: each result's type and what its data says. */
function resultsTable(outcomes: readonly Outcome[], output: OutputFormat): void {
  const rows = outcomes.flatMap((o) => (o.emitted ?? []).map((r) => ({ fn: o.function, ...r })));
  if (!rows.length) return;
  process.stdout.write("\nresults:\n");
  printTable(
    rows,
    [
      { header: "FUNCTION", value: (r) => r.fn },
      { header: "TYPE", value: (r) => eventNameOfType(r.type) ?? r.type },
      { header: "ID", value: (r) => r.id },
      { header: "DATA", value: (r) => summary(r.data) || JSON.stringify(r.data ?? null), max: 80 },
    ],
    "",
    output,
  );
}

function originLine(origin: ResultOrigin): string {
  const name = (type: string): string => eventNameOfType(type) ?? type;
  const { cause } = origin;
  return (
    `event ${origin.event.id} is a result: ${name(origin.event.type)} emitted by ${origin.function} ` +
    `for event ${cause.id} (${name(cause.type)} from ${cause.source}); see icnctl status ${cause.id}\n`
  );
}

async function ofEvent(session: Session, id: string, opts: { output: OutputFormat }): Promise<void> {
  const { outcomes, origins } = await (await session.outcomes()).recordsOf(id);
  const [origin] = origins;
  if (outcomes.length === 0 && !origin)
    throw notFound(
      `nothing is known of event ${id}: no function has recorded an outcome for it`,
      "check the id, or look for it with icnctl tail --no-follow --since 1h",
    );
  outcomes.sort((a, b) => a.function.localeCompare(b.function));
  // A result's id: its cause beside what was done with it (webhook deliveries); otherwise as before.
  if (opts.output === "json") return printJson(origin ? { id, resultOf: origin, outcomes } : outcomes);
  if (origin) process.stdout.write(originLine(origin));
  if (outcomes.length === 0) return;
  if (origin) process.stdout.write("\n");
  outcomesTable(outcomes, opts.output);
  histories(outcomes, opts.output);
  resultsTable(outcomes, opts.output);
}

export function statusCommand(deps: CliDeps): Command {
  return new Command("status")
    .description(
      "per function: pending, in-flight, redeliveries, dead letters, last error; or, with an event id, what each function did with it, how it got there and what it emitted (for a result's id: the event it answers)",
    )
    .argument("[event-id]", "an event id (exit code 3 when nothing is known of it)")
    .addOption(outputOption({ wide: true }))
    .action((id: string | undefined, opts: { output: OutputFormat }) =>
      withSession(deps, (session) => (id ? ofEvent(session, id, opts) : overview(session, opts))),
    );
}
