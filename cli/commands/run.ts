// `icnctl run [functions...]`: the function host in the foreground, until Ctrl-C drains it.
import { Command } from "commander";
import type { AnyFunction } from "../../shared/function.ts";
import type { HostProcessOptions } from "../../shared/host/main.ts";
import { cliConfig, type CliDeps } from "../context.ts";
import { CliError, EXIT, usageError } from "../errors.ts";
import { outputOption, printJsonLine, type OutputFormat } from "../output.ts";

// Imported only when the host runs: its modules (Kubernetes client, metrics) take most of a second to
// load, and every other command would pay for them.
export async function functionsNamed(names: string[], env: NodeJS.ProcessEnv): Promise<AnyFunction[]> {
  const { functionsByName } = await import("../../functions/index.ts");
  try {
    return functionsByName(names, env);
  } catch (err) {
    throw usageError(err instanceof Error ? err.message : String(err), "see icnctl run --help");
  }
}

/** The node and pod watchers, the platform's own event sources (ICN_WATCHERS picks which). */
const watchers: HostProcessOptions["companions"] = async ({ nc, kube, config, log }) => {
  const { startWatchers } = await import("../../shared/sources/index.ts");
  const { jetstream } = await import("@nats-io/jetstream");
  return [await startWatchers({ kube, js: jetstream(nc), config, log })];
};

/** Why the host did not start; a message that names its own remedy (the HTTP port) needs no guess about the platform. */
function startFailure(err: unknown): CliError {
  const message = err instanceof Error ? err.message : String(err);
  const hint = message.includes("ICN_HTTP_PORT") ? undefined : "is the platform up? run make up";
  return new CliError(EXIT.failure, message, hint);
}

function readyLine(ready: {
  functions: string[];
  watchers: boolean;
  httpPort: number | null;
  nats: string;
}): string {
  const running = [...ready.functions, ...(ready.watchers ? ["watchers"] : [])].join(", ");
  const port = ready.httpPort ?? "none";
  return `icnctl: running ${running} on ${ready.nats}; probes and metrics on port ${port} (ICN_HTTP_PORT); Ctrl-C drains and stops\n`;
}

async function run(
  deps: CliDeps,
  names: string[],
  opts: { output: OutputFormat; watchers: boolean; watchersOnly?: boolean },
): Promise<void> {
  if (opts.watchersOnly && names.length)
    throw usageError("--watchers-only runs no functions: name none", "see icnctl run --help");
  // Watchers alone still run inside a host process, for its probes, metrics and draining.
  const functions = opts.watchersOnly ? [] : await functionsNamed(names, deps.env);
  const config = cliConfig(deps.env);
  // The host reads KUBECONFIG and its HTTP address from the process environment; .icn/env may have supplied them.
  for (const [key, value] of Object.entries(deps.env)) process.env[key] ??= value;
  const { runHostProcess } = await import("../../shared/host/main.ts");
  const companions = opts.watchers || opts.watchersOnly ? watchers : undefined;
  const host = await runHostProcess(functions, { config, name: "icnctl-run", companions }).catch(
    (err: unknown) => {
      throw startFailure(err);
    },
  );
  const ready = {
    functions: functions.map((f) => f.name),
    watchers: opts.watchers || opts.watchersOnly === true,
    httpPort: host.httpPort ?? null,
    nats: config.natsUrl,
    prefix: config.prefix,
  };
  if (opts.output === "json") printJsonLine({ ready });
  else process.stderr.write(readyLine(ready));
  // The host exits the process itself once SIGINT/SIGTERM has drained it.
  await new Promise<never>(() => undefined);
}

export function runCommand(deps: CliDeps): Command {
  return new Command("run")
    .description("run the function host in the foreground (Ctrl-C drains in-flight work, then exits)")
    .argument(
      "[functions...]",
      "functions to run, e.g. provision-tenant (default: every function the platform ships)",
    )
    .option("--no-watchers", "do not run the node and pod watchers beside the functions")
    .option("--watchers-only", "run only the watchers (ICN_WATCHERS picks which), no functions")
    .addOption(outputOption())
    .action((names: string[], opts: { output: OutputFormat; watchers: boolean }) => run(deps, names, opts));
}
