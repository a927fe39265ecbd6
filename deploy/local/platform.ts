// The embedded platform's lifecycle: up (idempotent), down (leaves no process), status.
import { KubeConfig } from "@kubernetes/client-node";
import { PLATFORM_NAMESPACE } from "../../schemas/names.ts";
import { envString } from "../../shared/env.ts";
import { apply, MANAGED_BY } from "../../shared/kube-apply.ts";
import { kubeFromConfig, type Kube } from "../../shared/kube.ts";
import { platformIdentities } from "../../shared/platform-identities.ts";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensurePki, type Component, type Pki } from "./certs.ts";
import { writeClientKubeconfig, writeKubeconfig } from "./kubeconfig.ts";
import { applyKwokRbac } from "./kwok-rbac.ts";
import { repoRoot, statePaths, type StatePaths } from "./paths.ts";
import { freePort, isAlive, readPid, startDaemon, stopDaemon, waitFor } from "./processes.ts";
import {
  apiserverSpec,
  binaryVersion,
  CONTROLLERS,
  controllerManagerSpec,
  etcdSpec,
  kwokSpec,
  natsSpec,
  schedulerSpec,
  type ServerSpec,
} from "./servers.ts";

// In stopping order: the apiserver's clients before the apiserver, etcd after it.
const SERVERS = [
  "kwok",
  "kube-scheduler",
  "kube-controller-manager",
  "kube-apiserver",
  "etcd",
  "nats-server",
] as const;

export interface Platform {
  kubeconfig: string;
  natsUrl: string;
  envFile: string;
  /** What this platform started itself (the rest came from ICN_KUBECONFIG / ICN_NATS_URL). */
  started: string[];
  versions: Record<string, string>;
}

export type Progress = (message: string) => void;

function build(component: string, progress: Progress): string {
  progress(`ensuring ${component} build (cached after the first time)`);
  const script = join(repoRoot, "deploy/local/build.sh"); // also where the npm package keeps it
  return execFileSync("bash", [script, component], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
}

async function launch(paths: StatePaths, bin: string, spec: ServerSpec): Promise<void> {
  const daemon = startDaemon(spec.name, bin, spec.args, { ...paths, env: spec.env });
  await waitFor(spec.name, spec.probe, {
    timeoutMs: spec.timeoutMs,
    logFile: join(paths.logs, `${spec.name}.log`),
    pid: daemon.pid,
  });
}

function readRecorded(paths: StatePaths): Platform | undefined {
  if (!existsSync(paths.platformFile)) return undefined;
  return JSON.parse(readFileSync(paths.platformFile, "utf8")) as Platform;
}

/** Every server this platform should have started is running (one from older code may lack some). */
function allRunning(paths: StatePaths, platform: Platform, wanted: readonly string[]): boolean {
  return wanted.every((name) => {
    const pid = readPid(paths.pids, name);
    return platform.started.includes(name) && pid !== undefined && isAlive(pid);
  });
}

const NATS_SERVERS = ["nats-server"];
const KUBE_SERVERS = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok"];

async function startNats(
  paths: StatePaths,
  progress: Progress,
  versions: Record<string, string>,
): Promise<string> {
  const bin = build("nats-server", progress);
  versions["nats-server"] = binaryVersion(bin);
  const [port, monitor] = [await freePort(), await freePort()];
  progress(`starting nats-server ${versions["nats-server"]} on 127.0.0.1:${port}`);
  await launch(paths, bin, natsSpec(paths, port, monitor));
  return `nats://127.0.0.1:${port}`;
}

async function startKubernetes(
  paths: StatePaths,
  progress: Progress,
  versions: Record<string, string>,
): Promise<string> {
  const etcdBin = build("etcd", progress);
  const kubeBin = build("kubernetes", progress);
  const apiserverBin = join(kubeBin, "kube-apiserver");
  versions.etcd = binaryVersion(etcdBin);
  versions["kube-apiserver"] = binaryVersion(apiserverBin);
  const pki = ensurePki(paths.certs);
  const [clientPort, peerPort, securePort, kcmPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  progress(`starting etcd ${versions.etcd} on 127.0.0.1:${clientPort}`);
  await launch(paths, etcdBin, etcdSpec(paths, clientPort, peerPort));
  progress(`starting kube-apiserver ${versions["kube-apiserver"]} on https://127.0.0.1:${securePort}`);
  await launch(paths, apiserverBin, apiserverSpec(pki, clientPort, securePort));
  writeKubeconfig(paths.kubeconfig, pki, `https://127.0.0.1:${securePort}`);
  progress(`starting kube-controller-manager (${CONTROLLERS.length} controllers) on 127.0.0.1:${kcmPort}`);
  await launch(
    paths,
    join(kubeBin, "kube-controller-manager"),
    controllerManagerSpec(pki, paths.kubeconfig, kcmPort),
  );
  await createPlatformNamespace(paths.kubeconfig);
  await startNodes(paths, progress, versions, { pki, kubeBin, server: `https://127.0.0.1:${securePort}` });
  return paths.kubeconfig;
}

/** A kubeconfig for `component`, acting as its own user. */
function componentKubeconfig(paths: StatePaths, pki: Pki, server: string, component: Component): string {
  mkdirSync(paths.componentKubeconfigs, { recursive: true });
  const file = join(paths.componentKubeconfigs, `${component}.kubeconfig`);
  writeClientKubeconfig(file, pki, server, pki.components[component]);
  return file;
}

/** What makes a node a node: kube-scheduler places pods, KWOK plays each node's kubelet. */
async function startNodes(
  paths: StatePaths,
  progress: Progress,
  versions: Record<string, string>,
  cluster: { pki: Pki; kubeBin: string; server: string },
): Promise<void> {
  const { pki, kubeBin, server } = cluster;
  const schedulerBin = join(kubeBin, "kube-scheduler");
  versions["kube-scheduler"] = binaryVersion(schedulerBin);
  const schedulerPort = await freePort();
  progress(`starting kube-scheduler ${versions["kube-scheduler"]} on 127.0.0.1:${schedulerPort}`);
  const schedulerKubeconfig = componentKubeconfig(paths, pki, server, "kube-scheduler");
  await launch(paths, schedulerBin, schedulerSpec(schedulerKubeconfig, schedulerPort));
  const kwokDir = build("kwok", progress);
  const kwokBin = join(kwokDir, "bin", "kwok");
  versions.kwok = binaryVersion(kwokBin);
  await applyKwokRbac(adminKube(paths.kubeconfig));
  const kwokPort = await freePort();
  progress(`starting kwok ${versions.kwok} on 127.0.0.1:${kwokPort}`);
  const kwokKubeconfig = componentKubeconfig(paths, pki, server, "kwok");
  await launch(paths, kwokBin, kwokSpec(paths, kwokDir, kwokKubeconfig, kwokPort));
}

function adminKube(kubeconfig: string): Kube {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  return kubeFromConfig(kc);
}

/** The platform's own namespace, as deploy/base/namespace.yaml creates it: quarantine keeps its claims there. */
async function createPlatformNamespace(kubeconfig: string): Promise<void> {
  const namespace = {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: PLATFORM_NAMESPACE, labels: { ...MANAGED_BY } },
  };
  await apply(adminKube(kubeconfig), namespace, "icn-local");
}

// On the embedded platform the functions act with the admin certificate's user, so tamper
// protection must count it among the platform's own identities (beside the in-cluster accounts).
const LOCAL_PLATFORM_IDENTITIES = platformIdentities(["icn-admin"]);

function writeEnvFile(platform: Platform): void {
  const lines = [`export KUBECONFIG='${platform.kubeconfig}'`, `export NATS_URL='${platform.natsUrl}'`];
  if (platform.started.includes("kube-apiserver"))
    lines.push(`export ICN_PLATFORM_IDENTITIES='${LOCAL_PLATFORM_IDENTITIES.join(",")}'`);
  writeFileSync(platform.envFile, lines.join("\n") + "\n");
}

/** Starts what is not running yet; a running platform is reused as it is. */
export async function up(progress: Progress = () => {}, paths: StatePaths = statePaths()): Promise<Platform> {
  const externalNats = envString(process.env, "ICN_NATS_URL");
  const externalKube = envString(process.env, "ICN_KUBECONFIG");
  const wanted = [...(externalNats ? [] : NATS_SERVERS), ...(externalKube ? [] : KUBE_SERVERS)];
  const recorded = readRecorded(paths);
  if (recorded && allRunning(paths, recorded, wanted)) return recorded;
  // A half-dead platform (say, a crashed apiserver) is stopped whole, then started fresh.
  await down(paths);
  mkdirSync(paths.root, { recursive: true });
  rmSync(join(paths.root, "data"), { recursive: true, force: true });
  const versions: Record<string, string> = {};
  const natsUrl = externalNats ?? (await startNats(paths, progress, versions));
  const kubeconfig = externalKube ?? (await startKubernetes(paths, progress, versions));
  const platform: Platform = { kubeconfig, natsUrl, envFile: paths.envFile, started: wanted, versions };
  writeEnvFile(platform);
  writeFileSync(paths.platformFile, JSON.stringify(platform, null, 2));
  return platform;
}

/** Stops every server this clone started, apiserver first; returns the names it stopped. */
export async function down(paths: StatePaths = statePaths()): Promise<string[]> {
  const stopped: string[] = [];
  for (const name of SERVERS) if (await stopDaemon(paths.pids, name)) stopped.push(name);
  rmSync(paths.platformFile, { force: true });
  return stopped;
}

export interface ServerStatus {
  name: string;
  pid?: number;
  running: boolean;
}

export function status(paths: StatePaths = statePaths()): { platform?: Platform; servers: ServerStatus[] } {
  const servers = SERVERS.map((name) => {
    const pid = readPid(paths.pids, name);
    return { name, pid, running: pid !== undefined && isAlive(pid) };
  });
  return { platform: readRecorded(paths), servers };
}

export interface Outage {
  stoppedAt: number;
  startedAt: number;
  readyAt: number;
}

/**
 * Stops this platform's kube-apiserver, waits `downMs`, and starts it again with the flags it ran with
 * (read from /proc before stopping); resolves once it is ready. The reliability suite's outage.
 */
export async function restartApiserver(paths: StatePaths, downMs: number): Promise<Outage> {
  const pid = readPid(paths.pids, "kube-apiserver");
  if (pid === undefined || !isAlive(pid)) throw new Error("kube-apiserver is not running");
  const bin = readlinkSync(`/proc/${pid}/exe`);
  const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").slice(1, -1);
  const flag = (re: RegExp): number => Number(args.map((a) => re.exec(a)?.[1]).find(Boolean));
  const spec = apiserverSpec(
    ensurePki(paths.certs),
    flag(/^--etcd-servers=.*:(\d+)$/),
    flag(/^--secure-port=(\d+)$/),
  );
  // At once, as a crash would: a graceful stop first spends up to 10 s answering "shutting down".
  await stopDaemon(paths.pids, "kube-apiserver", 0);
  const stoppedAt = Date.now();
  await new Promise((resolve) => setTimeout(resolve, downMs));
  const startedAt = Date.now();
  await launch(paths, bin, { ...spec, args });
  return { stoppedAt, startedAt, readyAt: Date.now() };
}
