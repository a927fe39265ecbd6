// Long-running server processes of the embedded platform: started detached, tracked by pid files.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, closeSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export interface Daemon {
  name: string;
  pid: number;
}

/**
 * Starts `bin` in its own process group so that stopping it also stops anything it spawned;
 * `dirs.env` adds to the environment it inherits.
 */
export function startDaemon(
  name: string,
  bin: string,
  args: string[],
  dirs: { logs: string; pids: string; env?: Record<string, string> },
): Daemon {
  mkdirSync(dirs.logs, { recursive: true });
  mkdirSync(dirs.pids, { recursive: true });
  const log = openSync(join(dirs.logs, `${name}.log`), "a");
  const child = spawn(bin, args, {
    detached: true,
    stdio: ["ignore", log, log],
    env: { ...process.env, ...dirs.env },
  });
  closeSync(log);
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start ${name} (${bin})`);
  writeFileSync(join(dirs.pids, `${name}.pid`), String(child.pid));
  return { name, pid: child.pid };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function readPid(pidsDir: string, name: string): number | undefined {
  const file = join(pidsDir, `${name}.pid`);
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, "utf8").trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** SIGTERM, then SIGKILL after the grace period; removes the pid file either way. */
export async function stopDaemon(pidsDir: string, name: string, graceMs = 10_000): Promise<boolean> {
  const pid = readPid(pidsDir, name);
  rmSync(join(pidsDir, `${name}.pid`), { force: true });
  if (pid === undefined || !isAlive(pid)) return false;
  signalGroup(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) signalGroup(pid, "SIGKILL");
  while (isAlive(pid)) await sleep(50);
  return true;
}

// Below Linux's ephemeral range (32768–60999): a port the kernel hands out for listen(0) is also what it hands
// to outgoing connections, and with a thousand KWOK nodes' connections one of those took etcd's port before
// etcd could bind it. A random port here is only ever taken by another deliberate listener.
const PORT_RANGE = { from: 20_000, to: 32_000 } as const;

function listensOn(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** A port that was free on 127.0.0.1 a moment ago, chosen at random so that parallel runs differ. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = PORT_RANGE.from + Math.floor(Math.random() * (PORT_RANGE.to - PORT_RANGE.from));
    if (await listensOn(port)) return port;
  }
  throw new Error(`no free port on 127.0.0.1 between ${PORT_RANGE.from} and ${PORT_RANGE.to}`);
}

/** Polls `probe` until it returns true; fails with the log's tail so the cause is on screen. */
export async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  opts: { timeoutMs: number; logFile: string; pid?: number },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    if (opts.pid !== undefined && !isAlive(opts.pid)) break;
    await sleep(200);
  }
  const tail = existsSync(opts.logFile)
    ? readFileSync(opts.logFile, "utf8").split("\n").slice(-20).join("\n")
    : "";
  throw new Error(`${what} did not become ready (log: ${opts.logFile})\n${tail}`);
}
