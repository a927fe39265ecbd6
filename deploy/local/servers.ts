// How each server of the embedded platform is started and probed. Everything binds to 127.0.0.1.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import type { Pki } from "./certs.ts";
import type { StatePaths } from "./paths.ts";

export interface ServerSpec {
  name: string;
  args: string[];
  probe: () => Promise<boolean>;
  timeoutMs: number;
}

export function natsSpec(paths: StatePaths, port: number, monitorPort: number): ServerSpec {
  mkdirSync(paths.natsData, { recursive: true });
  const config = join(paths.root, "nats.conf");
  writeFileSync(
    config,
    [
      `listen: "127.0.0.1:${port}"`,
      `http: "127.0.0.1:${monitorPort}"`,
      `server_name: icn-local`,
      `max_payload: 8MB`,
      `jetstream { store_dir: "${paths.natsData}" }`,
    ].join("\n") + "\n",
  );
  return {
    name: "nats-server",
    args: ["-c", config],
    probe: () => httpOk(`http://127.0.0.1:${monitorPort}/healthz?js-enabled-only=true`),
    timeoutMs: 30_000,
  };
}

export function etcdSpec(paths: StatePaths, clientPort: number, peerPort: number): ServerSpec {
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  return {
    name: "etcd",
    args: [
      "--name=icn-local",
      `--data-dir=${paths.etcdData}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=icn-local=${peer}`,
      "--unsafe-no-fsync=true",
      "--quota-backend-bytes=4294967296",
      "--log-level=warn",
    ],
    probe: () => httpOk(`${client}/health`),
    timeoutMs: 30_000,
  };
}

export function apiserverSpec(pki: Pki, etcdPort: number, securePort: number): ServerSpec {
  return {
    name: "kube-apiserver",
    args: [
      `--etcd-servers=http://127.0.0.1:${etcdPort}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${securePort}`,
      `--tls-cert-file=${pki.servingCert}`,
      `--tls-private-key-file=${pki.servingKey}`,
      `--client-ca-file=${pki.caCert}`,
      "--authorization-mode=Node,RBAC",
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      `--service-account-key-file=${pki.serviceAccountPub}`,
      `--service-account-signing-key-file=${pki.serviceAccountKey}`,
      "--service-cluster-ip-range=10.96.0.0/16",
      "--allow-privileged=true",
      // Pods here never run, and a pod created right after its namespace would race the
      // controller that makes the namespace's `default` ServiceAccount; nothing needs its token.
      "--disable-admission-plugins=ServiceAccount",
      "--profiling=false",
      "--v=1",
    ],
    probe: () => readyz(pki, securePort),
    timeoutMs: 90_000,
  };
}

async function httpOk(url: string): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
  return response.ok;
}

function readyz(pki: Pki, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path: "/readyz",
        ca: readFileSync(pki.caCert),
        cert: readFileSync(pki.adminCert),
        key: readFileSync(pki.adminKey),
        timeout: 2000,
      },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on("error", () => resolve(false));
    req.on("timeout", () => req.destroy());
    req.end();
  });
}

/** Asks a built binary for its version, for `make up`'s report. */
export function binaryVersion(bin: string, flag = "--version"): string {
  const out = execFileSync(bin, [flag], { encoding: "utf8" });
  return (out.match(/v?\d+\.\d+\.\d+/) ?? [out.trim()])[0];
}

/**
 * Only the controllers whose work the API shows: `admin`/`edit`/`view` get their rules by
 * aggregation, quotas get their usage, deleted namespaces empty out, owners collect dependents.
 * Node lifecycle stays off: with no kubelet, every node would be declared dead and drained.
 */
export const CONTROLLERS = [
  "clusterrole-aggregation-controller",
  "serviceaccount-controller",
  "serviceaccount-token-controller",
  "namespace-controller",
  "garbage-collector-controller",
  "resourcequota-controller",
];

export function controllerManagerSpec(pki: Pki, kubeconfig: string, securePort: number): ServerSpec {
  return {
    name: "kube-controller-manager",
    args: [
      `--kubeconfig=${kubeconfig}`,
      `--authentication-kubeconfig=${kubeconfig}`,
      `--authorization-kubeconfig=${kubeconfig}`,
      "--bind-address=127.0.0.1",
      `--secure-port=${securePort}`,
      `--controllers=${CONTROLLERS.join(",")}`,
      `--service-account-private-key-file=${pki.serviceAccountKey}`,
      `--root-ca-file=${pki.caCert}`,
      "--leader-elect=false",
      "--v=1",
    ],
    probe: () => httpsOk(securePort, "/healthz"),
    timeoutMs: 60_000,
  };
}

// The controller-manager serves a self-signed certificate; this probe only asks "are you up?".
function httpsOk(port: number, path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      { host: "127.0.0.1", port, path, rejectUnauthorized: false, timeout: 2000 },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on("error", () => resolve(false));
    req.on("timeout", () => req.destroy());
    req.end();
  });
}
