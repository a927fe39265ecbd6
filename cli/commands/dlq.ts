// `icnctl dlq ls|show|redrive|purge`: the dead letters, what is in one, sending them again, dropping them.
import { createInterface } from "node:readline/promises";
import { Command, InvalidArgumentError } from "commander";
import { isStreamMissing, withSession, type CliDeps, type Session } from "../context.ts";
import { deadLetterFilter, getDeadLetter, listDeadLetters, type DeadLetter } from "../dead-letters.ts";
import { notFound, partialFailure, usageError } from "../errors.ts";
import { outputOption, printJson, printTable, progress, type OutputFormat } from "../output.ts";
import { operatorName } from "../audit.ts";
import { redrive, REDRIVE_RESULTS, type RedriveOptions as Redrive, type RedriveResult } from "../redrive.ts";
import { headerRecord } from "../stored.ts";
import { formatAge, parseDuration } from "../time.ts";

type Out = { output: OutputFormat };

const dlqId = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError("must be a dead letter id (the ID column of icnctl dlq ls)");
  return n;
};

const summaryOf = (d: DeadLetter): Record<string, unknown> => ({
  id: d.id,
  eventId: d.event.id,
  type: d.event.name ?? d.event.type,
  function: d.function,
  attempts: d.attempts,
  code: d.code,
  error: d.error,
  at: d.at,
});

async function ls(deps: CliDeps, opts: Out & { function?: string }): Promise<void> {
  await withSession(deps, async (session) => {
    const letters = await listDeadLetters(session, opts.function);
    if (opts.output === "json") return printJson(letters.map(summaryOf));
    printTable(
      letters,
      [
        { header: "ID", value: (d) => String(d.id) },
        { header: "EVENT ID", value: (d) => d.event.id ?? "?" },
        { header: "TYPE", value: (d) => d.event.name ?? d.event.type ?? "?" },
        { header: "FUNCTION", value: (d) => d.function },
        { header: "ATTEMPTS", value: (d) => String(d.attempts) },
        { header: "LAST ERROR", value: (d) => `${d.code}: ${d.error}`, max: 60 },
        { header: "AGE", value: (d) => formatAge(Date.parse(d.at)) },
      ],
      "no dead letters",
      opts.output,
    );
  });
}

function payloadOf(d: DeadLetter): unknown {
  const text = new TextDecoder().decode(d.stored.data);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

async function show(deps: CliDeps, id: number, opts: Out): Promise<void> {
  await withSession(deps, async (session) => {
    const letter = await getDeadLetter(session, id);
    if (!letter) throw notFound(`there is no dead letter ${id}`, "list them with icnctl dlq ls");
    const headers = headerRecord(letter.stored.headers);
    const payload = payloadOf(letter);
    if (opts.output === "json")
      return printJson({ ...summaryOf(letter), subject: letter.stored.subject, headers, payload });
    const lines = [
      `dead letter ${id} on ${letter.stored.subject}, stored ${letter.stored.time.toISOString()}`,
      "",
      "headers:",
    ];
    for (const [name, values] of Object.entries(headers))
      for (const value of values) lines.push(`  ${name}: ${value}`);
    lines.push("", "payload:", typeof payload === "string" ? payload : JSON.stringify(payload, null, 2));
    process.stdout.write(`${lines.join("\n")}\n`);
  });
}

async function lettersToRedrive(
  session: Session,
  id: number | undefined,
  opts: { all?: boolean; function?: string },
): Promise<DeadLetter[]> {
  if (opts.all) return listDeadLetters(session, opts.function);
  const letter = await getDeadLetter(session, id ?? 0);
  if (!letter) throw notFound(`there is no dead letter ${id}`, "list them with icnctl dlq ls");
  return [letter];
}

/** A few at a time: each waits on its own outcome, and a large DLQ must not flood the host. */
async function redriveAll(session: Session, letters: DeadLetter[], how: Redrive): Promise<RedriveResult[]> {
  const results: RedriveResult[] = [];
  const queue = [...letters];
  const worker = async (): Promise<void> => {
    for (let letter = queue.shift(); letter; letter = queue.shift()) {
      results.push(await redrive(session, letter, how));
      progress(`redriven ${results.length}/${letters.length}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, letters.length) }, worker));
  return results.sort((a, b) => a.id - b.id);
}

type RedriveOptions = Out & { all?: boolean; function?: string; timeout: string; reason?: string };

async function redriveCommand(deps: CliDeps, id: number | undefined, opts: RedriveOptions): Promise<void> {
  if ((id === undefined) === !opts.all)
    throw usageError(
      "name one dead letter id or --all",
      "e.g. icnctl dlq redrive 42, or icnctl dlq redrive --all --function provision-tenant",
    );
  const how: Redrive = {
    timeoutMs: parseDuration(opts.timeout, "--timeout"),
    who: operatorName(deps.env),
    reason: opts.reason?.trim() ?? "",
  };
  await withSession(deps, async (session) => {
    const results = await redriveAll(session, await lettersToRedrive(session, id, opts), how);
    if (opts.output === "json") printJson(results);
    else
      printTable(
        results,
        [
          { header: "ID", value: (r) => String(r.id) },
          { header: "EVENT ID", value: (r) => r.eventId ?? "?" },
          { header: "FUNCTION", value: (r) => r.function },
          { header: "RESULT", value: (r) => r.result },
          { header: "DETAIL", value: (r) => r.error ?? REDRIVE_RESULTS[r.result], max: 80 },
        ],
        "no dead letters to redrive",
      );
    const failed = results.filter((r) => r.result !== "resolved").length;
    if (failed)
      throw partialFailure(
        `${failed} of ${results.length} dead letter(s) are still dead`,
        "see icnctl dlq show <id> and icnctl status <event id>, fix the cause, then redrive again",
      );
  });
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

async function purge(deps: CliDeps, opts: Out & { function?: string; yes?: boolean }): Promise<void> {
  if (!opts.yes && !(process.stdin.isTTY && process.stderr.isTTY))
    throw usageError("refusing to purge without --yes when there is no terminal to confirm on", "add --yes");
  await withSession(deps, async (session) => {
    const { jsm, config } = session;
    const filter = deadLetterFilter(config, opts.function);
    const whose = opts.function ? `${opts.function}'s` : "all";
    if (!opts.yes && !(await confirm(`delete ${whose} dead letters for good? [y/N] `)))
      throw usageError("purge cancelled", "nothing was deleted");
    const { purged } = await jsm.streams.purge(config.deadLetterStream, { filter }).catch((err: unknown) => {
      if (isStreamMissing(err)) return { purged: 0 };
      throw err;
    });
    if (opts.output === "json") printJson({ purged, function: opts.function ?? null });
    else process.stdout.write(`purged ${purged} dead letter${purged === 1 ? "" : "s"}\n`);
  });
}

export function dlqCommand(deps: CliDeps): Command {
  const dlq = new Command("dlq").description(
    "dead letters: events a function gave up on after its last attempt",
  );
  dlq
    .command("ls")
    .description("list dead letters (the ID column is what show and redrive take)")
    .option("--function <name>", "only this function's")
    .addOption(outputOption({ wide: true }))
    .action((opts: Out & { function?: string }) => ls(deps, opts));
  dlq
    .command("show")
    .description("a dead letter's full headers and payload")
    .argument("<id>", "dead letter id", dlqId)
    .addOption(outputOption())
    .action((id: number, opts: Out) => show(deps, id, opts));
  dlq
    .command("redrive")
    .description("send dead letters to their function again; delete each one the function now handles")
    .argument("[id]", "dead letter id", dlqId)
    .option("--all", "every dead letter (of --function, when given)")
    .option("--function <name>", "with --all: only this function's")
    .option("--timeout <duration>", "how long to wait for each outcome", "30s")
    .option("--reason <text>", "why (recorded with who and when, as replays are: icnctl replay log)")
    .addOption(outputOption())
    .addHelpText(
      "after",
      "\nEvery redrive is audited (icnctl replay log) and named in the event's history (icnctl status <event-id>).\nExit code 4 when any dead letter failed again or had no outcome in time (it is kept).",
    )
    .action((id: number | undefined, opts: RedriveOptions) => redriveCommand(deps, id, opts));
  dlq
    .command("purge")
    .description("delete dead letters for good (asks first on a terminal; --yes otherwise)")
    .option("--function <name>", "only this function's")
    .option("--yes", "do not ask")
    .addOption(outputOption())
    .action((opts: Out & { function?: string; yes?: boolean }) => purge(deps, opts));
  return dlq;
}
