// `icnctl replay`: send stored input events again to one function (or all that handle them), audited.
import { randomBytes } from "node:crypto";
import { Command, InvalidArgumentError } from "commander";
import { EVENT_NAMES, isResultEvent } from "../../schemas/events.ts";
import { replaySubject } from "../../shared/events.ts";
import { auditNamesFor, listAudit, operatorName, recordAudit, type ReplayRecord } from "../audit.ts";
import { functionConsumers } from "../consumers.ts";
import { isStreamMissing, noEventsStream, withSession, type CliDeps, type Session } from "../context.ts";
import { notFound, partialFailure, usageError } from "../errors.ts";
import { resolveEventName } from "../event-view.ts";
import { note, outputOption, printJson, printTable, progress, type OutputFormat } from "../output.ts";
import { republish } from "../republish.ts";
import { planReplay, type ReplayPlan, type ReplaySelector } from "../replay-plan.ts";
import { parseInstant } from "../time.ts";

const INPUT_EVENTS = EVENT_NAMES.filter((name) => !isResultEvent(name)).join(", ");

interface ReplayOptions {
  id?: string[];
  since?: string;
  until?: string;
  fromSeq?: number;
  toSeq?: number;
  type?: string;
  to?: string;
  dryRun?: boolean;
  reason?: string;
  output: OutputFormat;
}

const sequence = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError("must be a stream sequence (a positive integer)");
  return n;
};

const SELECTORS = ["since", "until", "fromSeq", "toSeq", "type"] as const;

/** Refuses before connecting: a replay with no selector would resend the whole stream, one without a reason is unaccountable. */
function checkOptions(opts: ReplayOptions): void {
  if (!opts.id?.length && !SELECTORS.some((key) => opts[key] !== undefined))
    throw usageError(
      "say which events to replay",
      "use --id, --since/--until, --from-seq/--to-seq or --type (see icnctl replay --help)",
    );
  if (!opts.reason?.trim())
    throw usageError("--reason is required: every replay is audited", 'add --reason "why you are replaying"');
  if (opts.fromSeq && opts.toSeq && opts.fromSeq > opts.toSeq)
    throw usageError("--from-seq is after --to-seq", "swap them");
}

function selectorOf(opts: ReplayOptions): ReplaySelector {
  checkOptions(opts);
  const instant = (value: string | undefined, option: string): Date | undefined =>
    value ? parseInstant(value, option) : undefined;
  return {
    ids: opts.id ?? [],
    since: instant(opts.since, "--since"),
    until: instant(opts.until, "--until"),
    fromSeq: opts.fromSeq,
    toSeq: opts.toSeq,
    type: opts.type ? resolveEventName(opts.type, "--type") : undefined,
    to: opts.to,
  };
}

export interface Sent {
  record: ReplayRecord;
  failed: { seq: number; function: string; error: string }[];
}

/** Publishes the plan to each event's functions and records it in the audit stream (the console's replay too). */
export async function send(session: Session, plan: ReplayPlan, deps: CliDeps, reason: string): Promise<Sent> {
  const replayId = `replay-${randomBytes(6).toString("hex")}`;
  const total = plan.events.reduce((n, e) => n + e.functions.length, 0);
  const record: ReplayRecord & { kind: "replay" } = {
    kind: "replay",
    replayId,
    who: operatorName(deps.env),
    at: new Date().toISOString(),
    reason,
    to: [],
    events: [],
  };
  const failed: Sent["failed"] = [];
  let done = 0;
  for (const event of plan.events) {
    for (const fn of event.functions) {
      const subject = replaySubject(session.config.prefix, fn, event.name);
      await republish(session.js, event.stored, {
        subject,
        replayId,
        msgId: `${replayId}:${fn}:${event.seq}`,
        by: record.who,
        reason,
      }).then(
        () => (record.to.includes(fn) ? undefined : record.to.push(fn)),
        (err: unknown) => failed.push({ seq: event.seq, function: fn, error: String(err) }),
      );
      progress(`replayed ${++done}/${total}`);
    }
    if (!failed.some((f) => f.seq === event.seq))
      record.events.push({ seq: event.seq, id: event.id, type: event.type });
  }
  if (record.events.length) await recordAudit(session.js, session.jsm, session.config.prefix, record);
  return { record, failed };
}

function notes(plan: ReplayPlan): void {
  for (const s of plan.skipped) note(`skipped seq ${s.seq}${s.id ? ` (${s.id})` : ""}: ${s.why}`);
  for (const id of plan.missing) note(`no stored event has id ${id}`);
}

function report(plan: ReplayPlan, opts: ReplayOptions, sent: Sent | undefined, audit: string): void {
  const events = plan.events.map(({ seq, id, type, functions }) => ({ seq, id, type, functions }));
  const to = [...new Set(events.flatMap((e) => e.functions))];
  if (opts.output === "json") {
    const { skipped, missing } = plan;
    const failed = sent?.failed ?? [];
    return printJson({
      replayId: sent?.record.replayId,
      dryRun: !sent,
      reason: opts.reason,
      to,
      events,
      skipped,
      missing,
      failed,
    });
  }
  if (events.length === 0) return;
  printTable(
    events,
    [
      { header: "SEQ", value: (e) => String(e.seq) },
      { header: "EVENT ID", value: (e) => e.id },
      { header: "TYPE", value: (e) => resolveEventName(e.type) },
      { header: "FUNCTIONS", value: (e) => e.functions.join(",") },
    ],
    "",
  );
  const what = `${events.length} event${events.length === 1 ? "" : "s"} to ${to.join(", ")}`;
  if (!sent) process.stdout.write(`dry run: would replay ${what}; nothing was published\n`);
  else process.stdout.write(`replayed ${what} as ${sent.record.replayId}; recorded in ${audit}\n`);
}

async function replay(deps: CliDeps, opts: ReplayOptions): Promise<void> {
  const selector = selectorOf(opts);
  await withSession(deps, async (session) => {
    const consumers = await functionConsumers(session.jsm, session.config.eventsStream).catch(
      (err: unknown) => {
        throw isStreamMissing(err) ? noEventsStream(session.config) : err;
      },
    );
    const plan = await planReplay(session, consumers, selector);
    notes(plan);
    if (plan.events.length === 0) {
      report(plan, opts, undefined, "");
      throw notFound(
        "no stored input event matches the selection",
        "widen it, or find the events with icnctl tail --no-follow --since 1h",
      );
    }
    const sent = opts.dryRun ? undefined : await send(session, plan, deps, opts.reason ?? "");
    report(plan, opts, sent, auditNamesFor(session.config.prefix).stream);
    if (sent?.failed.length)
      throw partialFailure(
        `${sent.failed.length} replay message(s) could not be published`,
        "see failed in --output json, then replay those sequences again",
      );
  });
}

async function replayLog(deps: CliDeps, opts: { output: OutputFormat }): Promise<void> {
  await withSession(deps, async ({ js, jsm, config }) => {
    const records = await listAudit(js, jsm, config.prefix);
    if (opts.output === "json") return printJson(records);
    printTable(
      records,
      [
        { header: "TIME", value: (r) => r.at },
        { header: "KIND", value: (r) => r.kind },
        { header: "WHO", value: (r) => r.who },
        { header: "REASON", value: (r) => r.reason || "-", max: 60 },
        { header: "FUNCTIONS", value: (r) => r.to.join(",") },
        { header: "COUNT", value: (r) => String(r.events.length) },
        { header: "REPLAY ID", value: (r) => r.replayId },
      ],
      "no replay or redrive has been recorded",
    );
  });
}

export function replayCommand(deps: CliDeps): Command {
  const command = new Command("replay")
    .description(
      "send stored input events again, to one function or to every function that handles them (audited)",
    )
    .option("--id <id>", "an event id (repeatable)", (id: string, ids: string[] | undefined) => [
      ...(ids ?? []),
      id,
    ])
    .option("--since <10m|ISO>", "events stored at or after this time")
    .option("--until <10m|ISO>", "events stored at or before this time")
    .option("--from-seq <n>", "first stream sequence", sequence)
    .option("--to-seq <n>", "last stream sequence", sequence)
    .option("--type <type>", `only this input event (${INPUT_EVENTS})`)
    .option(
      "--to <function>",
      "replay to this function only (default: every function that handles the event)",
    )
    .option("--dry-run", "list what would be replayed and publish nothing")
    .option("--reason <text>", "why (required; recorded in the audit stream with who and when)")
    .addOption(outputOption())
    .addHelpText(
      "after",
      `\nOnly input events (${INPUT_EVENTS}) are replayed; result events are skipped.\n\nExamples:\n  icnctl replay --id 5f0c... --to provision-tenant --dry-run --reason "OPS-12: quota lost"\n  icnctl replay --type node.joined --since 2h --to label-kata-node --reason "NFD labels were late"\n  icnctl replay log`,
    )
    .action((opts: ReplayOptions) => replay(deps, opts))
    .enablePositionalOptions();
  command
    .command("log")
    .description(
      "list recorded replays and dead-letter redrives: when, which, who, why, to which functions, how many events",
    )
    .addOption(outputOption())
    .action((opts: { output: OutputFormat }) => replayLog(deps, opts));
  return command;
}
