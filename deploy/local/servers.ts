// How each server of the embedded platform is started and probed. Everything binds to 127.0.0.1.
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import type { Pki } from "./certs.ts";
import type { StatePaths } from "./paths.ts";

export interface ServerSpec {
  name: string;
  args: string[];
  probe: () => Promise<boolean>;
  timeoutMs: number;
  /** Added to the platform's own environment. */
  env?: Record<string, string>;
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
      // ServiceAccount: a pod created right after its namespace would race the controller that
      // makes the namespace's `default` ServiceAccount, and no pod here runs a process that needs
      // its token. TaintNodesByCondition: it taints every new node not-ready, and only the node
      // lifecycle controller (off, see CONTROLLERS) lifts that taint once the kubelet reports Ready.
      "--disable-admission-plugins=ServiceAccount,TaintNodesByCondition",
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
 * aggregation, quotas get their usage, deleted namespaces empty out, owners collect dependents,
 * disruption budgets get the status the Eviction API reads (without it, an eviction of a pod
 * that a budget covers is refused forever). Node lifecycle stays off: KWOK heartbeats only the
 * nodes it manages, and every other node would be declared dead and drained.
 */
export const CONTROLLERS = [
  "clusterrole-aggregation-controller",
  "serviceaccount-controller",
  "serviceaccount-token-controller",
  "namespace-controller",
  "garbage-collector-controller",
  "resourcequota-controller",
  "disruption-controller",
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

/** kube-scheduler as its own user (system:kube-scheduler, bound by Kubernetes' bootstrap RBAC). */
export function schedulerSpec(kubeconfig: string, securePort: number): ServerSpec {
  return {
    name: "kube-scheduler",
    args: [
      `--kubeconfig=${kubeconfig}`,
      `--authentication-kubeconfig=${kubeconfig}`,
      `--authorization-kubeconfig=${kubeconfig}`,
      "--bind-address=127.0.0.1",
      `--secure-port=${securePort}`,
      "--leader-elect=false",
      "--profiling=false",
      "--v=1",
    ],
    // /readyz includes its informers' sync: a pod created after this is scheduled.
    probe: () => httpsOk(securePort, "/readyz"),
    timeoutMs: 60_000,
  };
}

/**
 * The annotation that says "KWOK is this node's kubelet". Only such nodes are managed: a Node
 * object created bare has no kubelet, as on a real cluster, so it never turns Ready and no pod
 * lands on it (KWOK would otherwise give it 1000 CPUs and a million pods of room).
 */
export const KWOK_NODE_ANNOTATION = { key: "kwok.x-k8s.io/node", value: "fake" } as const;

/**
 * KWOK standing in for the kubelets, with the stages its pinned module ships (build.sh copies
 * them): a node turns Ready with the capacity it declares and renews its Lease as a kubelet
 * does; a bound pod runs; a deleted or evicted pod goes; a Job's pod completes.
 */
export function kwokSpec(paths: StatePaths, kwokDir: string, kubeconfig: string, port: number): ServerSpec {
  const stagesDir = join(kwokDir, "stages");
  const stages = readdirSync(stagesDir)
    .filter((file) => file.endsWith(".yaml"))
    .sort()
    .map((file) => join(stagesDir, file));
  mkdirSync(paths.kwokWorkDir, { recursive: true });
  return {
    name: "kwok",
    args: [
      `--kubeconfig=${kubeconfig}`,
      `--config=${stages.join(",")}`,
      `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION.key}=${KWOK_NODE_ANNOTATION.value}`,
      // Its health and debugging endpoints; without an address it would serve on 0.0.0.0 if given a node port.
      `--server-address=127.0.0.1:${port}`,
      // Pod IPs to hand out (the default /24 holds 254 pods); apart from the Service range.
      "--cidr=10.244.0.0/16",
      // A kubelet's default: node health is a Lease renewed every 10 s (the heartbeat stage then
      // rewrites the Node's status only every ten minutes or so).
      "--node-lease-duration-seconds=40",
    ],
    env: { KWOK_WORKDIR: paths.kwokWorkDir },
    probe: () => httpOk(`http://127.0.0.1:${port}/healthz`),
    timeoutMs: 60_000,
  };
}

// The controller-manager and the scheduler serve self-signed certificates; this probe only asks "are you up?".
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
