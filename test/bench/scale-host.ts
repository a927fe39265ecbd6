// The platform under test as it ships: one `icnctl run` host process with the functions and the node watcher, on a
// prefix of its own, its watcher narrowed to the run's nodes; its peak RSS read from the kernel.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../../deploy/local/paths.ts";
import { platformIdentitiesForTests } from "../deploy/identities.ts";
import { imageNodeFlags } from "../harness/image.ts";
import { POOL_LABEL } from "./scale-plan.ts";

export const SCALE_FUNCTIONS = [
  "label-kata-node",
  "untaint-kata-node",
  "provision-tenant",
  "quarantine-runc-pod",
];

export interface ScaleHost {
  /** The kernel's high-water mark of the host's resident memory so far (MB). */
  peakRssMb(): number;
  stop(): Promise<void>;
}

/** The compiled CLI (what the image runs; `npm run bench:scale` builds it first), or the sources. */
function entry(fromSources: boolean): string {
  const built = join(repoRoot, "dist/cli/icnctl.js");
  return fromSources || !existsSync(built) ? join(repoRoot, "cli/icnctl.ts") : built;
}

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
}

async function ready(host: ChildProcess): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    host.stdout?.on("data", (chunk: Buffer) =>
      chunk.toString().includes('{"ready"') ? resolve() : undefined,
    );
    host.once("exit", (code) => reject(new Error(`the host exited (${code}) before it was ready`)));
  });
}

export async function startScaleHost(options: {
  natsUrl: string;
  kubeconfig: string;
  prefix: string;
  run: string;
  /** Use the sources even when dist/ is there (a test must not run a stale build). */
  fromSources?: boolean;
}): Promise<ScaleHost> {
  const identities = await platformIdentitiesForTests();
  const script = entry(options.fromSources === true);
  const host = spawn(
    process.execPath,
    [...imageNodeFlags(), script, "run", ...SCALE_FUNCTIONS, "--output", "json"],
    {
      cwd: repoRoot,
      env: {
        ...process.env,
        KUBECONFIG: options.kubeconfig,
        NATS_URL: options.natsUrl,
        ICN_SUBJECT_PREFIX: options.prefix,
        ICN_HTTP_PORT: "0",
        ICN_LOG_LEVEL: process.env.ICN_LOG_LEVEL ?? "warn",
        ICN_WATCHERS: "node-watcher",
        ICN_WATCH_NODE_SELECTOR: `${POOL_LABEL}=${options.run}`,
        ICN_PLATFORM_IDENTITIES: identities.join(","),
        // kata-deploy is played at once here: no node may be reported overdue meanwhile.
        ICN_KATA_INSTALL_DEADLINE_MS: String(3_600_000),
      },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  await ready(host);
  const pid = host.pid ?? 0;
  let lastPeak = 0;
  return {
    peakRssMb: () => (host.exitCode === null ? (lastPeak = peakRssMb(pid)) : lastPeak),
    stop: async () => {
      if (host.exitCode !== null) return;
      lastPeak = peakRssMb(pid);
      const exited = once(host, "exit");
      host.kill("SIGTERM");
      await exited;
    },
  };
}
