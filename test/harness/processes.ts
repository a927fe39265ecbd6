// Child processes of the integration tests (hosts, CLIs), always killed at the end of the test file.
import { spawn, type ChildProcess } from "node:child_process";
import { repoRoot } from "../../deploy/local/paths.ts";

const children = new Set<ChildProcess>();

export interface Spawned {
  child: ChildProcess;
  output: () => string;
  /** Resolves when a line of output matches; rejects if the process exits first. */
  waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<void>;
  exited: Promise<number | null>;
}

export function spawnNode(
  script: string,
  env: Record<string, string>,
  args: readonly string[] = [],
  nodeFlags: readonly string[] = [],
): Spawned {
  const child = spawn(process.execPath, [...nodeFlags, script, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let output = "";
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer): void => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => (children.delete(child), resolve(code))),
  );
  const waitFor = (pattern: RegExp, timeoutMs = 30_000): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (!pattern.test(output)) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(
        () => (
          cleanup(),
          reject(new Error(`no ${pattern} in ${timeoutMs} ms; output:\n${output.slice(-2000)}`))
        ),
        timeoutMs,
      );
      const cleanup = (): void => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      void exited.then((code) => {
        if (!listeners.has(check)) return;
        cleanup();
        reject(new Error(`process exited (${code}) before ${pattern}; output:\n${output.slice(-2000)}`));
      });
      check();
    });
  return { child, output: () => output, waitFor, exited };
}

/** For afterAll/afterEach: no child outlives its test file, whatever happened. */
export function killAll(): void {
  for (const child of children) child.kill("SIGKILL");
  children.clear();
}
