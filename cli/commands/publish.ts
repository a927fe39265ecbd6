// `icnctl publish`: validate an event's data against its schema first, then publish it and print its id.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Command, Option } from "commander";
import type { CloudEvent } from "cloudevents";
import { parseEventData, subjectOf, type EventName } from "../../schemas/events.ts";
import { envString } from "../../shared/env.ts";
import { newEvent, publishEvent } from "../../shared/events.ts";
import { isStreamMissing, noEventsStream, withSession, type CliDeps } from "../context.ts";
import { CliError, EXIT, usageError } from "../errors.ts";
import { resolveEventName } from "../event-view.ts";
import { note, outputOption, printJson, type OutputFormat } from "../output.ts";

interface PublishOptions {
  data: string;
  source: string;
  id?: string;
  mode: "binary" | "structured";
  output: OutputFormat;
}

/** `--data` is inline JSON, `@file` (relative to `cwd`), or `@-` for standard input. */
export function readData(arg: string, cwd: string): unknown {
  let text = arg;
  if (arg.startsWith("@")) {
    const path = arg.slice(1);
    try {
      text = readFileSync(path === "-" ? 0 : resolve(cwd, path), "utf8");
    } catch (err) {
      throw usageError(
        `cannot read --data file ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
        "check the path after @",
      );
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw usageError(
      `--data is not JSON (${(err as Error).message})`,
      `quote it for the shell, e.g. --data '{"node":"n1"}', or use @file.json`,
    );
  }
}

/** Prints each field error, then fails with a usage error: nothing bad ever reaches the bus. */
function validData(name: EventName, data: unknown): unknown {
  const parsed = parseEventData(name, data);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues)
    process.stderr.write(`  ${issue.path.join(".") || "data"}: ${issue.message}\n`);
  const count = parsed.error.issues.length;
  throw usageError(
    `--data is not a valid ${name} (${count} problem${count === 1 ? "" : "s"}), nothing was published`,
    "fix the fields listed above and publish again",
  );
}

function buildEvent(name: EventName, data: unknown, opts: PublishOptions): CloudEvent<unknown> {
  try {
    return newEvent({ name, source: opts.source, id: opts.id, data });
  } catch (err) {
    throw usageError(
      `the event is not a valid CloudEvent (${err instanceof Error ? err.message : String(err)})`,
      "check --source (a URI reference) and --id",
    );
  }
}

async function publish(deps: CliDeps, type: string, opts: PublishOptions): Promise<void> {
  const name = resolveEventName(type);
  // `npm run icnctl` runs in the package root; INIT_CWD is where the operator typed the command.
  const data = validData(name, readData(opts.data, envString(deps.env, "INIT_CWD", process.cwd())));
  const event = buildEvent(name, data, opts);
  await withSession(deps, async ({ js, jsm, config }) => {
    const subject = subjectOf(config.prefix, name);
    const ack = await publishEvent(js, config.prefix, event, { mode: opts.mode }).catch(
      async (err: unknown) => {
        // With no stream on the subject nats.js reports "jetstream is not enabled": say what is really missing.
        const missing = await jsm.streams.info(config.eventsStream).then(() => false, isStreamMissing);
        if (missing) throw noEventsStream(config);
        throw new CliError(
          EXIT.failure,
          `could not publish on ${subject} (${String(err)})`,
          "check icnctl status and the nats-server log",
        );
      },
    );
    if (ack.duplicate)
      note(`an event with this source and id is already stored (seq ${ack.seq}); it was not stored again`);
    if (opts.output === "json")
      printJson({ id: event.id, type: event.type, subject, seq: ack.seq, duplicate: ack.duplicate });
    else process.stdout.write(`${event.id}\n`);
  });
}

export function publishCommand(deps: CliDeps): Command {
  return new Command("publish")
    .description("validate an event's data against its schema, publish it, and print its id")
    .argument("<type>", "event name (tenant.requested) or full CloudEvents type")
    .requiredOption("-d, --data <json|@file>", "the event's data: inline JSON, @file.json, or @- for stdin")
    .option("--source <uri>", "CloudEvents source of the event", "urn:icnctl")
    .option("--id <id>", "CloudEvents id (default: a new UUID); the same source and id are stored once")
    .addOption(
      new Option("--mode <mode>", "CloudEvents NATS binding mode")
        .choices(["binary", "structured"])
        .default("binary"),
    )
    .addOption(outputOption())
    .addHelpText(
      "after",
      `\nExamples:\n  icnctl publish node.joined --data '{"node":"worker-1"}'\n  icnctl publish tenant.requested --data @acme.json --source urn:portal`,
    )
    .action((type: string, opts: PublishOptions) => publish(deps, type, opts));
}
