// A Kubernetes control plane of one suite's own (etcd, apiserver, controllers, scheduler, KWOK) on the shared
// nats-server: for tests that stop the apiserver or need a state no other suite can disturb.
import { KubeConfig } from "@kubernetes/client-node";
import { rmSync } from "node:fs";
import type { StatePaths } from "../../deploy/local/paths.ts";
import { down, up } from "../../deploy/local/platform.ts";

export async function startOwnKube(paths: StatePaths): Promise<KubeConfig> {
  const saved = { nats: process.env.ICN_NATS_URL, kube: process.env.ICN_KUBECONFIG };
  process.env.ICN_NATS_URL = process.env.NATS_URL;
  delete process.env.ICN_KUBECONFIG;
  try {
    const platform = await up(() => {}, paths);
    const kc = new KubeConfig();
    kc.loadFromFile(platform.kubeconfig);
    return kc;
  } finally {
    if (saved.nats === undefined) delete process.env.ICN_NATS_URL;
    else process.env.ICN_NATS_URL = saved.nats;
    if (saved.kube !== undefined) process.env.ICN_KUBECONFIG = saved.kube;
  }
}

export async function stopOwnKube(paths: StatePaths): Promise<void> {
  await down(paths);
  rmSync(paths.root, { recursive: true, force: true });
}
