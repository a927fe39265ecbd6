// `icnctl provision [functions...]`: the streams, the outcome bucket and each function's durable consumer, as this release needs them.
import { Command } from "commander";
import { isIcnError } from "../../shared/errors.ts";
import { provisionBus, type Provisioned } from "../../shared/host/provision-bus.ts";
import { withSession, type CliDeps } from "../context.ts";
import { CliError, EXIT } from "../errors.ts";
import { outputOption, printJson, printTable, progress, type OutputFormat } from "../output.ts";
import { functionsNamed } from "./run.ts";

/** The functions' own NATS users may not write their consumers; only the provisioner (or the operator) may. */
function explain(err: unknown): never {
  if (isIcnError(err) && err.code === "BUS_NOT_PROVISIONED")
    throw new CliError(
      EXIT.failure,
      err.message.replace(/;.*$/, ""),
      // deploy/nats/permissions.ts names that user; the image does not ship deploy/nats.
      'connect as the NATS user "provisioner" (NATS_USER, NATS_PASSWORD, NATS_INBOX_PREFIX=_INBOX_provisioner)',
      { cause: err },
    );
  throw err;
}

async function provision(deps: CliDeps, names: string[], opts: { output: OutputFormat }): Promise<void> {
  const functions = await functionsNamed(names, deps.env);
  await withSession(deps, async (session) => {
    // Whatever ICN_NATS_PROVISIONING the components bind with, this command is the one that creates.
    const config = { ...session.config, provisioning: "create" as const };
    progress(
      `provisioning ${config.eventsStream}, ${config.deadLetterStream}, ${config.outcomesBucket} and ` +
        `${functions.length} consumer(s) on ${config.natsUrl}`,
    );
    const steps = await provisionBus(session.nc, config, functions, (step) =>
      progress(`${step.kind} ${step.name}: ${step.action}`),
    ).catch(explain);
    if (opts.output === "json") return printJson(steps);
    printTable<Provisioned>(
      steps,
      [
        { header: "KIND", value: (s) => s.kind },
        { header: "NAME", value: (s) => s.name },
        { header: "ACTION", value: (s) => s.action },
      ],
      "",
    );
  });
}

export function provisionCommand(deps: CliDeps): Command {
  return new Command("provision")
    .description(
      "create or update the streams, the outcome bucket and each function's durable consumer (idempotent; run at deploy time as the provisioner NATS user)",
    )
    .argument(
      "[functions...]",
      "functions whose consumers to provision (default: every function the platform ships)",
    )
    .addOption(outputOption())
    .action((names: string[], opts: { output: OutputFormat }) => provision(deps, names, opts));
}
