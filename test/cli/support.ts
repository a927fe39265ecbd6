// Runs icnctl as a child process against a test's own prefix and returns its exit code and output.
import { execFile } from "node:child_process";
import type { RuntimeConfig } from "../../shared/config.ts";
import { repoRoot } from "../../deploy/local/paths.ts";

export const CLI = "cli/icnctl.ts";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Variables the child must not inherit from the test process (to prove a fallback). */
  unset?: readonly string[];
}

/** The environment that points icnctl at the test's streams; ICN_OPERATOR names the auditor. */
export function cliEnv(config: RuntimeConfig, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NATS_URL: config.natsUrl,
    ICN_SUBJECT_PREFIX: config.prefix,
    ICN_OPERATOR: "test-operator",
    ...extra,
  };
}

export function icnctl(
  args: readonly string[],
  env: Record<string, string>,
  options: RunOptions = {},
): Promise<CliResult> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const name of options.unset ?? []) delete childEnv[name];
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: repoRoot, env: childEnv, timeout: 90_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    // No terminal and nothing to read: a command that would ask a question must refuse instead.
    child.stdin?.end();
  });
}

/** Parses --output json, failing the test with the output when it is not JSON. */
export function json<T = unknown>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${result.code}):\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  }
}

/** `tail --output json` prints one object per line. */
export function jsonLines<T = Record<string, unknown>>(result: CliResult): T[] {
  return result.stdout
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as T);
}
