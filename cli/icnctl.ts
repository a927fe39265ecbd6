#!/usr/bin/env node
// icnctl, the operator's CLI: publish, tail, replay, dead letters, status, provision, the host and the local platform.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Command, CommanderError } from "commander";
import { consoleCommand } from "../console/command.ts";
import { repoRoot } from "../deploy/local/paths.ts";
import { envString } from "../shared/env.ts";
import { dlqCommand } from "./commands/dlq.ts";
import { localCommand } from "./commands/local.ts";
import { publishCommand } from "./commands/publish.ts";
import { provisionCommand } from "./commands/provision.ts";
import { replayCommand } from "./commands/replay.ts";
import { ingressCommand, notifyCommand } from "./commands/serve.ts";
import { runCommand } from "./commands/run.ts";
import { statusCommand } from "./commands/status.ts";
import { tailCommand } from "./commands/tail.ts";
import { tenantCommand } from "./commands/tenant.ts";
import { defaultDeps, type CliDeps } from "./context.ts";
import { EXIT, failureLine, type ExitCode } from "./errors.ts";

const EXIT_HELP = `
Connection: NATS_URL and ICN_SUBJECT_PREFIX (default icn); without NATS_URL, the .icn/env that make up writes.

Exit codes:
  ${EXIT.ok}  ok
  ${EXIT.failure}  failure (NATS unreachable, a publish refused, ...)
  ${EXIT.usage}  usage or validation error: nothing was done
  ${EXIT.notFound}  not found (event id, dead letter, function, tenant)
  ${EXIT.partial}  partial failure (a redrive that failed again, a replay that could not publish all)`;

const commandPath = (cmd: Command): string =>
  cmd.parent ? `${commandPath(cmd.parent)} ${cmd.name()}` : cmd.name();

/** Commander's own errors become one line with what to do, and an exception instead of an exit. */
function prepare(cmd: Command): void {
  cmd.exitOverride().configureOutput({
    outputError: (message, write) =>
      write(
        `${message
          .replace(/\s*\n\s*/g, " ")
          .trim()
          .replace(/\.$/, "")}; see "${commandPath(cmd)} --help"\n`,
      ),
  });
  cmd.commands.forEach(prepare);
}

export function buildProgram(deps: CliDeps): Command {
  const { version } = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string };
  const program = new Command("icnctl")
    .description("operate the icn-secure-tenancy functions: events, replays, dead letters, status")
    .version(version)
    // Options belong to the command they follow: `replay log --output json` is log's, not replay's.
    .enablePositionalOptions()
    .addHelpText("after", EXIT_HELP)
    .addCommand(publishCommand(deps))
    .addCommand(tailCommand(deps))
    .addCommand(replayCommand(deps))
    .addCommand(dlqCommand(deps))
    .addCommand(statusCommand(deps))
    .addCommand(tenantCommand(deps))
    .addCommand(provisionCommand(deps))
    .addCommand(runCommand(deps))
    .addCommand(ingressCommand(deps))
    .addCommand(notifyCommand(deps))
    .addCommand(consoleCommand(deps))
    .addCommand(localCommand());
  prepare(program);
  return program;
}

function commanderExit(err: CommanderError): ExitCode {
  return err.code === "commander.helpDisplayed" || err.code === "commander.version" ? EXIT.ok : EXIT.usage;
}

export async function main(argv: readonly string[], deps: CliDeps = defaultDeps()): Promise<ExitCode> {
  try {
    await buildProgram(deps).parseAsync([...argv]);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) return commanderExit(err);
    const { line, exitCode } = failureLine(err);
    process.stderr.write(`${line}\n`);
    if (envString(deps.env, "ICN_DEBUG"))
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    return exitCode;
  }
}

if (import.meta.main) process.exit(await main(process.argv));
