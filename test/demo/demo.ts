// `make demo`: the main job on the embedded platform, played and narrated step by step; exit 0 only if every step came true.
import { status, up, type Platform } from "../../deploy/local/platform.ts";
import { startRuntime, type DemoRuntime } from "./runtime.ts";
import { demoNames, playScenario } from "./scenario.ts";
import { Narrator, StepFailed } from "./steps.ts";

const PLATFORM_TIMEOUT_MS = 30 * 60_000; // the first build of the servers takes minutes; later starts, seconds
const STOP_TIMEOUT_MS = 15_000;

function wasRunning(): boolean {
  const { platform, servers } = status();
  return (
    Boolean(platform) && servers.filter((s) => platform?.started.includes(s.name)).every((s) => s.running)
  );
}

async function startPlatform(say: Narrator): Promise<Platform> {
  let platform: Platform | undefined;
  await say.step("platform", PLATFORM_TIMEOUT_MS, async () => {
    const reused = wasRunning();
    platform = await up((message) => say.note(`» ${message}`));
    const v = platform.versions;
    const servers = [
      `kube-apiserver ${v["kube-apiserver"] ?? "(yours)"}`,
      `nats-server ${v["nats-server"] ?? "(yours)"}`,
    ].join(", ");
    return {
      line: `platform up: ${servers} (${reused ? "reused" : "started"})`,
      result: reused ? "reused" : "started",
    };
  });
  if (!platform) throw new Error("unreachable: the platform step returned without a platform");
  return platform;
}

async function stopQuietly(rt: DemoRuntime | undefined): Promise<void> {
  if (!rt) return;
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, STOP_TIMEOUT_MS).unref());
  await Promise.race([rt.stop().catch(() => undefined), timeout]);
}

async function main(): Promise<number> {
  const run = Math.random().toString(36).slice(2, 6);
  const names = demoNames(run);
  const say = new Narrator();
  let rt: DemoRuntime | undefined;
  process.once("SIGINT", () => void stopQuietly(rt).then(() => process.exit(130)));
  console.log(
    `icn-secure-tenancy demo (run ${run}): tenants isolated by Kata Containers, driven by events\n`,
  );
  try {
    const platform = await startPlatform(say);
    await say.step("host and watchers", 60_000, async () => {
      rt = await startRuntime(platform, run, names.tenant);
      return {
        line: `host running ${rt.functions.join(", ")} on subjects ${rt.config.prefix}.>`,
        notes: [
          `node-watcher and pod-watcher publishing node.joined and pod.unsafe (scoped to this run's nodes and tenant)`,
        ],
        result: `${rt.functions.length} functions, 2 watchers`,
      };
    });
    if (!rt) throw new Error("unreachable: the runtime step returned without a runtime");
    await playScenario(say, rt, names);
    console.log(`\n${say.summary()}`);
    console.log(
      `Left for you to look at: nodes ${names.nodes.map((n) => n.name).join(", ")}; tenant ${names.tenant}'s record (retired) in icn-system.`,
    );
    console.log(
      `  with kubectl: source .icn/env && kubectl get nodes -L icn.akraino.org/kata,katacontainers.io/kata-runtime`,
    );
    // The run's events stay on the bus under its own prefix: what just happened can be looked at again.
    const icnctl = `ICN_SUBJECT_PREFIX=${rt.config.prefix} npm run --silent icnctl --`;
    console.log(`  its events: ${icnctl} tail --no-follow`);
    console.log(`  per function: ${icnctl} status`);
    console.log(`  one event's story: ${icnctl} status <event-id from tail>`);
    console.log(`  the tenant (retired, its record kept): ${icnctl} tenant show ${names.tenant}`);
    console.log(
      `  in the browser: ${icnctl} console  (serves http://127.0.0.1:8089/ and prints its login link)`,
    );
    return 0;
  } catch (err) {
    console.log(`\n${say.summary()}`);
    const reason =
      err instanceof StepFailed
        ? err.message
        : err instanceof Error
          ? (err.stack ?? err.message)
          : String(err);
    console.error(`demo failed: ${reason}`);
    console.error(
      "logs: ICN_LOG_LEVEL=info make demo shows the host's and watchers' logs; the servers' are in .icn/logs/",
    );
    return 1;
  } finally {
    await stopQuietly(rt);
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`demo failed: ${String(err)}`);
    process.exit(1);
  },
);
