// Running a tenant command against the apiserver, loading the Kubernetes client only then.
import type { Kube } from "../../shared/kube.ts";
import type { CliDeps } from "../context.ts";
import { formatAge } from "../time.ts";

/**
 * The Kubernetes client and the modules that use it load only when a tenant command runs: they take most
 * of a second, and every other command would pay for them. `as` is the same cluster seen as that user (kubectl's
 * --as), the operator's own when not given.
 */
export async function withKube<T>(
  deps: CliDeps,
  as: string | undefined,
  work: (kube: Kube, asUser: Kube) => Promise<T>,
): Promise<T> {
  const { cliKube, kubeFailure } = await import("./cluster.ts");
  const kube = cliKube(deps.env);
  const asUser = as ? cliKube(deps.env, as) : kube;
  return work(kube, asUser).catch((err: unknown) => kubeFailure(err, kube));
}

/** `3m ago`, or nothing when there is no time. */
export const ageOf = (time: string | undefined): string => (time ? `${formatAge(Date.parse(time))} ago` : "");
