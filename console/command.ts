// `icnctl console`: the web console on 127.0.0.1 until Ctrl-C, reading what the CLI reads.
import { KubeConfig } from "@kubernetes/client-node";
import { Command, InvalidArgumentError } from "commander";
import { operatorName } from "../cli/audit.ts";
import type { CliDeps } from "../cli/context.ts";
import { envString } from "../shared/env.ts";
import { kubeFromConfig } from "../shared/kube.ts";
import { startConsole } from "./server.ts";

interface ConsoleFlags {
  port: number;
  listen: string;
  allowActions?: boolean;
}

const port = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError("must be a port (0 picks a free one)");
  return n;
};

function kubeOf(env: NodeJS.ProcessEnv): ReturnType<typeof kubeFromConfig> {
  const config = new KubeConfig();
  const file = envString(env, "KUBECONFIG");
  if (file) config.loadFromFile(file);
  else config.loadFromDefault();
  return kubeFromConfig(config);
}

async function serve(deps: CliDeps, flags: ConsoleFlags): Promise<void> {
  const session = await deps.openSession();
  const running = await startConsole({
    session,
    kube: kubeOf(deps.env),
    token: envString(deps.env, "ICN_CONSOLE_TOKEN"),
    host: flags.listen,
    port: flags.port,
    allowActions: flags.allowActions ?? false,
    operator: operatorName(deps.env),
  });
  const mode = flags.allowActions
    ? `actions allowed, audited as ${operatorName(deps.env)}`
    : "read-only; --allow-actions to redrive and replay";
  process.stdout.write(`console: ${running.url} (${mode})\n`);
  process.stdout.write(`login: ${running.url}#token=${running.token}\n`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await running.close();
  await session.close();
}

export function consoleCommand(deps: CliDeps): Command {
  return new Command("console")
    .description("serve the web console: live events, an event's story, dead letters, tenants, functions")
    .option("--port <port>", "port to serve on (0 picks a free one)", port, 8089)
    .option(
      "--listen <address>",
      "address to listen on; anything but loopback exposes the console",
      "127.0.0.1",
    )
    .option("--allow-actions", "allow redrive and replay (audited); read-only without it")
    .addHelpText(
      "after",
      "\nThe token is ICN_CONSOLE_TOKEN, or one generated at start and printed with the login link.\nICN_OPERATOR names who the audit records for actions.",
    )
    .action((flags: ConsoleFlags) => serve(deps, flags));
}
