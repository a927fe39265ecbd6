// Who passes tamper protection: one list for every writer of the cluster-wide guard policies, so no two writers flap it.
import { PLATFORM_NAMESPACE } from "../schemas/names.ts";
import { envList } from "./env.ts";

/**
 * The functions that change what tamper protection guards. Typed here rather than imported from
 * functions/index.ts (shared/ never imports a function); a unit test holds the two lists equal.
 */
export const PLATFORM_FUNCTIONS = [
  "provision-tenant",
  "label-kata-node",
  "quarantine-runc-pod",
  "untaint-kata-node",
  "report-kata-failure",
  "cordon-tenant",
  "uncordon-tenant",
  "retire-tenant",
] as const;

/** `system:serviceaccount:icn-system:<name>`, as the apiserver names a pod running as that ServiceAccount. */
export function serviceAccountUser(name: string): string {
  return `system:serviceaccount:${PLATFORM_NAMESPACE}:${name}`;
}

/**
 * The functions' ServiceAccounts plus `extra`, without repeats and sorted: the same set always
 * renders the same policy, whatever order a host's configuration lists it in.
 */
export function platformIdentities(extra: readonly string[] = []): string[] {
  return [...new Set([...PLATFORM_FUNCTIONS.map(serviceAccountUser), ...extra])].sort();
}

/**
 * ICN_PLATFORM_IDENTITIES adds identities to the functions' own (the embedded platform's admin
 * certificate); it cannot remove them, so no configuration locks the platform out of what it manages.
 */
export function platformIdentitiesFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return platformIdentities(envList(env, "ICN_PLATFORM_IDENTITIES"));
}
