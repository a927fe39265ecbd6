// `icnctl local up|down|status`: the embedded platform (nats-server, etcd, kube-apiserver) of this clone.
import { Command } from "commander";
import { down, status, up } from "../../deploy/local/platform.ts";
import { notFound } from "../errors.ts";
import { outputOption, printJson, progress, type OutputFormat } from "../output.ts";

type Out = { output: OutputFormat };

async function localUp(opts: Out): Promise<void> {
  const started = Date.now();
  const platform = await up(progress);
  if (opts.output === "json") return printJson(platform);
  for (const [name, version] of Object.entries(platform.versions))
    process.stdout.write(`${name.padEnd(24)} ${version}\n`);
  process.stdout.write(`\nplatform is up (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  process.stdout.write(`  KUBECONFIG=${platform.kubeconfig}\n  NATS_URL=${platform.natsUrl}\n`);
  process.stdout.write(
    `  env file: ${platform.envFile} (icnctl reads it; for other tools: source ${platform.envFile})\n`,
  );
}

async function localDown(opts: Out): Promise<void> {
  const stopped = await down();
  if (opts.output === "json") return printJson({ stopped });
  process.stdout.write(stopped.length ? `stopped ${stopped.join(", ")}\n` : "nothing was running\n");
}

function localStatus(opts: Out): void {
  const report = status();
  if (opts.output === "json") printJson(report);
  else {
    for (const s of report.servers)
      process.stdout.write(`${s.name.padEnd(24)} ${s.running ? `running (pid ${s.pid})` : "stopped"}\n`);
    if (report.platform) process.stdout.write(`env file: ${report.platform.envFile}\n`);
  }
  if (!report.servers.some((s) => s.running))
    throw notFound("the embedded platform is not running", "start it with make up (or icnctl local up)");
}

export function localCommand(): Command {
  const local = new Command("local").description(
    "the embedded platform of this clone (what make up/down/status run)",
  );
  local
    .command("up")
    .description("build (once) and start the servers; prints versions and the env file")
    .addOption(outputOption())
    .action(localUp);
  local
    .command("down")
    .description("stop every server this clone started")
    .addOption(outputOption())
    .action(localDown);
  local
    .command("status")
    .description("which servers run (exit code 3 when none)")
    .addOption(outputOption())
    .action(localStatus);
  return local;
}
