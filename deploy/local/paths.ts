// Where the embedded platform keeps its state (in the clone) and its builds (shared per user).
import { homedir } from "node:os";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { envString } from "../../shared/env.ts";

/** The nearest folder above `start` with a package.json: the clone, or the installed package. */
function packageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) return resolve(start, "../..");
  }
}

// Found, not assumed: the compiled CLI runs from dist/, one level deeper than the sources.
export const repoRoot: string = packageRoot(import.meta.dirname);

/** Runtime state of one clone: certs, data dirs, logs, pid files, env file. Git-ignored. */
export function stateDir(): string {
  return envString(process.env, "ICN_STATE_DIR", join(repoRoot, ".icn"));
}

export interface StatePaths {
  root: string;
  certs: string;
  logs: string;
  pids: string;
  etcdData: string;
  natsData: string;
  kubeconfig: string;
  /** Per component that acts as itself rather than as the admin (kube-scheduler, kwok). */
  componentKubeconfigs: string;
  /** KWOK's work dir: keeps a developer's ~/.kwok/kwok.yaml out of the platform's KWOK. */
  kwokWorkDir: string;
  envFile: string;
  platformFile: string;
}

export function statePaths(root: string = stateDir()): StatePaths {
  return {
    root,
    certs: join(root, "certs"),
    logs: join(root, "logs"),
    pids: join(root, "pids"),
    etcdData: join(root, "data", "etcd"),
    natsData: join(root, "data", "nats"),
    kubeconfig: join(root, "kubeconfig"),
    componentKubeconfigs: join(root, "kubeconfigs"),
    kwokWorkDir: join(root, "kwok"),
    envFile: join(root, "env"),
    platformFile: join(root, "platform.json"),
  };
}

export function buildCacheDir(): string {
  const base = envString(process.env, "XDG_CACHE_HOME", join(homedir(), ".cache"));
  return envString(process.env, "ICN_CACHE_DIR", join(base, "icn-secure-tenancy"));
}
