// The Kubernetes clients a handler gets in its context, built once per host from a KubeConfig.
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { RawObjectApi } from "./raw-object-api.ts";

export interface Kube {
  config: KubeConfig;
  core: CoreV1Api;
  /** Generic client: server-side apply and any kind the API serves. */
  objects: RawObjectApi;
}

export function kubeFromConfig(config: KubeConfig): Kube {
  return { config, core: config.makeApiClient(CoreV1Api), objects: RawObjectApi.forConfig(config) };
}

/** Uses KUBECONFIG when set, else the in-cluster service account. */
export function kubeFromEnvironment(): Kube {
  const config = new KubeConfig();
  config.loadFromDefault();
  return kubeFromConfig(config);
}
