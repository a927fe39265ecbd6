// A three-node nats-server cluster on loopback for the node-loss scenario: own ports, own store dirs.
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { repoRoot } from "../../deploy/local/paths.ts";
import { freePort, isAlive, readPid, startDaemon, stopDaemon } from "../../deploy/local/processes.ts";

export interface NatsNode {
  name: string;
  url: string;
  monitorPort: number;
}

export interface NatsCluster {
  nodes: NatsNode[];
  urls: string[];
  /** SIGKILL, no goodbye: the node vanishes as a crashed machine would. */
  kill(name: string): void;
  /** Stops every node still running and removes its folder (stores, logs); safe to call twice. */
  stop(): Promise<void>;
}

interface Ports {
  client: number;
  monitor: number;
  route: number;
}

export function natsBinary(): string {
  const script = join(repoRoot, "deploy/local/build.sh");
  return execFileSync("bash", [script, "nats-server"], { encoding: "utf8" }).trim();
}

function nodeConfig(dir: string, name: string, own: Ports, all: Ports[]): string {
  const routes = all.map((p) => `nats-route://127.0.0.1:${p.route}`).join(", ");
  return [
    `server_name: ${name}`,
    `listen: "127.0.0.1:${own.client}"`,
    `http: "127.0.0.1:${own.monitor}"`,
    `max_payload: 8MB`,
    `jetstream { store_dir: "${join(dir, "data", name)}" }`,
    `cluster { name: icn-reliability, listen: "127.0.0.1:${own.route}", routes: [${routes}] }`,
  ].join("\n");
}

/** Every node reports the same JetStream meta leader: the cluster can create R3 streams. */
async function metaLeaderElected(nodes: NatsNode[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const leaders = await Promise.all(
      nodes.map(async (n) => {
        const res = await fetch(`http://127.0.0.1:${n.monitorPort}/jsz`).catch(() => undefined);
        const body = res?.ok ? ((await res.json()) as { meta_cluster?: { leader?: string } }) : undefined;
        return body?.meta_cluster?.leader;
      }),
    );
    if (leaders[0] && leaders.every((l) => l === leaders[0])) return;
    await sleep(250);
  }
  throw new Error(`the NATS cluster elected no JetStream meta leader in ${timeoutMs} ms`);
}

export async function startNatsCluster(dir: string, size = 3): Promise<NatsCluster> {
  const bin = natsBinary();
  const dirs = { logs: join(dir, "logs"), pids: join(dir, "pids") };
  mkdirSync(dir, { recursive: true });
  const ports: Ports[] = [];
  for (let i = 0; i < size; i++)
    ports.push({ client: await freePort(), monitor: await freePort(), route: await freePort() });
  const nodes = ports.map((p, i) => ({
    name: `n${i + 1}`,
    url: `nats://127.0.0.1:${p.client}`,
    monitorPort: p.monitor,
  }));
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((n) => stopDaemon(dirs.pids, n.name)));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    nodes.forEach((n, i) => {
      const config = join(dir, `${n.name}.conf`);
      writeFileSync(config, nodeConfig(dir, n.name, ports[i]!, ports) + "\n");
      startDaemon(n.name, bin, ["-c", config], dirs);
    });
    await metaLeaderElected(nodes);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    nodes,
    urls: nodes.map((n) => n.url),
    kill(name: string): void {
      const pid = readPid(dirs.pids, name);
      if (pid === undefined || !isAlive(pid)) throw new Error(`NATS node ${name} is not running`);
      process.kill(pid, "SIGKILL");
    },
    stop,
  };
}
