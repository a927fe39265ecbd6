// Where the embedded platform keeps its state (in the clone) and its builds (shared per user).
import { homedir } from "node:os";
import { join, resolve } from "node:path";

export const repoRoot: string = resolve(import.meta.dirname, "../..");

/** Runtime state of one clone: certs, data dirs, logs, pid files, env file. Git-ignored. */
export function stateDir(): string {
  return process.env.ICN_STATE_DIR ?? join(repoRoot, ".icn");
}

export interface StatePaths {
  root: string;
  certs: string;
  logs: string;
  pids: string;
  etcdData: string;
  natsData: string;
  kubeconfig: string;
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
    envFile: join(root, "env"),
    platformFile: join(root, "platform.json"),
  };
}

export function buildCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache");
  return process.env.ICN_CACHE_DIR ?? join(base, "icn-secure-tenancy");
}
