// The apiserver the tenant commands read: KUBECONFIG from the environment or .icn/env, and failures that say what to do.
import { KubeConfig } from "@kubernetes/client-node";
import { envString } from "../../shared/env.ts";
import { isIcnError } from "../../shared/errors.ts";
import { kubeFromConfig, type Kube } from "../../shared/kube.ts";
import { CliError, EXIT, usageError } from "../errors.ts";

/** The operator's cluster, or the same cluster seen as `as` (the apiserver's impersonation, as kubectl's --as). */
export function cliKube(env: NodeJS.ProcessEnv, as?: string): Kube {
  const config = new KubeConfig();
  const file = envString(env, "KUBECONFIG");
  try {
    if (file) config.loadFromFile(file);
    else config.loadFromDefault();
  } catch (err) {
    throw usageError(
      `cannot read the kubeconfig ${file ?? "(default)"} (${err instanceof Error ? err.message : String(err)})`,
      "set KUBECONFIG to the cluster's kubeconfig, or run make up for the embedded platform",
    );
  }
  if (!config.getCurrentCluster())
    throw usageError(
      "there is no Kubernetes cluster to read: KUBECONFIG is unset and there is no .icn/env",
      "set KUBECONFIG, or run make up for the embedded platform",
    );
  return kubeFromConfig(as ? impersonating(config, as) : config);
}

/** The current user, asking the apiserver to act as `user` (it checks that the operator may impersonate). */
function impersonating(config: KubeConfig, user: string): KubeConfig {
  const current = config.getCurrentUser()?.name;
  config.users = config.users.map((u) => (u.name === current ? { ...u, impersonateUser: user } : u));
  return config;
}

/** An apiserver failure as one line with its remedy: unreachable, forbidden, or what it said. */
export function kubeFailure(err: unknown, kube: Kube): never {
  if (err instanceof CliError || !isIcnError(err)) throw err;
  const server = kube.config.getCurrentCluster()?.server ?? "the apiserver";
  if (err.code === "KUBE_UNAVAILABLE")
    throw new CliError(
      EXIT.failure,
      `${err.message} (${server})`,
      "is the platform up? run make up, or check KUBECONFIG",
      {
        cause: err,
      },
    );
  if (err.code === "KUBE_FORBIDDEN")
    throw new CliError(
      EXIT.failure,
      err.message,
      "the tenant commands read icn-system's ConfigMaps, tenant namespaces, their Events and the admission policy bindings: use a kubeconfig that may",
      { cause: err },
    );
  throw new CliError(EXIT.failure, err.message, "check the apiserver (kubectl get --raw /readyz)", {
    cause: err,
  });
}
