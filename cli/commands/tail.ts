// `icnctl tail`: the events on the bus, one line each: stored history since --since, then live ones.
import { Command } from "commander";
import { DeliverPolicy } from "@nats-io/jetstream";
import { EVENT_NAMES, subjectOf } from "../../schemas/events.ts";
import { isStreamMissing, noEventsStream, withSession, type CliDeps, type Session } from "../context.ts";
import {
  concernsTenant,
  eventLine,
  eventRecord,
  resolveEventName,
  viewOf,
  type EventView,
} from "../event-view.ts";
import { outputOption, printJsonLine, progress, type OutputFormat } from "../output.ts";
import { fromJsMsg, readStored, type Stored } from "../stored.ts";
import { parseInstant } from "../time.ts";

interface TailOptions {
  type?: string;
  tenant?: string;
  since?: string;
  follow: boolean;
  output: OutputFormat;
}

interface TailPlan {
  subjects: string[];
  since?: Date;
  show: (msg: Stored) => void;
}

function planTail(config: Session["config"], opts: TailOptions): TailPlan {
  // Events only: replays travel on `_replay` subjects and are copies of what is shown here.
  const names = opts.type ? [resolveEventName(opts.type, "--type")] : EVENT_NAMES;
  const keep = (view: EventView): boolean => !opts.tenant || concernsTenant(view, opts.tenant);
  const since = opts.since ? parseInstant(opts.since, "--since") : undefined;
  return {
    subjects: names.map((name) => subjectOf(config.prefix, name)),
    since,
    show: (msg) => {
      if (since && msg.time < since) return; // a start time past the year 2262 overflows in the server
      const view = viewOf(msg);
      if (!keep(view)) return;
      if (opts.output === "json") printJsonLine(eventRecord(view));
      else process.stdout.write(`${eventLine(view)}\n`);
    },
  };
}

/** What is stored since --since (everything without it), then stop. */
async function history(session: Session, plan: TailPlan): Promise<void> {
  const { js, jsm, config } = session;
  for await (const msg of readStored(js, jsm, config.eventsStream, {
    filter: plan.subjects,
    startTime: plan.since,
  }))
    plan.show(msg);
}

/** An ordered consumer: history since --since (only new events without it), then live until Ctrl-C. */
async function follow(session: Session, plan: TailPlan): Promise<void> {
  const start = plan.since
    ? { deliver_policy: DeliverPolicy.StartTime, opt_start_time: plan.since.toISOString() }
    : { deliver_policy: DeliverPolicy.New };
  const consumer = await session.js.consumers.get(session.config.eventsStream, {
    filter_subjects: plan.subjects,
    ...start,
  });
  const messages = await consumer.consume();
  const stop = (): void => void messages.close();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  progress(`following ${session.config.eventsStream}; Ctrl-C to stop`);
  for await (const msg of messages) plan.show(fromJsMsg(msg));
}

async function tail(deps: CliDeps, opts: TailOptions): Promise<void> {
  await withSession(deps, async (session) => {
    const plan = planTail(session.config, opts);
    try {
      await (opts.follow ? follow(session, plan) : history(session, plan));
    } catch (err) {
      throw isStreamMissing(err) ? noEventsStream(session.config) : err;
    }
  });
}

export function tailCommand(deps: CliDeps): Command {
  return new Command("tail")
    .description("print events as they are stored: one line each (time, type, id, source, cause, summary)")
    .option("--type <type>", "only this event (tenant.requested, pod.unsafe, ...)")
    .option(
      "--tenant <tenant>",
      "only events whose data names the tenant, or a namespace <tenant> or <tenant>-*",
    )
    .option(
      "--since <10m|ISO>",
      "start with the events stored since then (default: only new ones; with --no-follow, all)",
    )
    .option("--no-follow", "stop at the end of what is stored instead of waiting for new events")
    .addOption(outputOption())
    .addHelpText(
      "after",
      "\nExamples:\n  icnctl tail --tenant acme\n  icnctl tail --type pod.unsafe --since 1h --no-follow --output json",
    )
    .action((opts: TailOptions) => tail(deps, opts));
}
