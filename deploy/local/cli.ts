// `make up|down|status`: the embedded platform from the command line (icnctl reuses the same calls).
import { down, status, up } from "./platform.ts";

const [command = "status", ...flags] = process.argv.slice(2);
const json = flags.includes("--output=json") || flags.join(" ").includes("--output json");
const progress = (message: string): void => {
  if (!json) process.stderr.write(`» ${message}\n`);
};

async function main(): Promise<number> {
  switch (command) {
    case "up": {
      const started = Date.now();
      const platform = await up(progress);
      if (json) return print(platform);
      for (const [name, version] of Object.entries(platform.versions))
        console.log(`${name.padEnd(15)} ${version}`);
      console.log(`\nplatform is up (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      console.log(`  KUBECONFIG=${platform.kubeconfig}\n  NATS_URL=${platform.natsUrl}`);
      console.log(`  use it in a shell: source ${platform.envFile}`);
      return 0;
    }
    case "down": {
      const stopped = await down();
      if (json) return print({ stopped });
      console.log(stopped.length ? `stopped ${stopped.join(", ")}` : "nothing was running");
      return 0;
    }
    case "status": {
      const report = status();
      if (json) return print(report);
      for (const s of report.servers)
        console.log(`${s.name.padEnd(15)} ${s.running ? `running (pid ${s.pid})` : "stopped"}`);
      return report.servers.some((s) => s.running) ? 0 : 3;
    }
    default:
      console.error(`unknown command "${command}": use up, down or status [--output json]`);
      return 2;
  }
}

function print(value: unknown): number {
  console.log(JSON.stringify(value, null, 2));
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
