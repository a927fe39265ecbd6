// The base's ServiceAccounts and RBAC applied for real, and the cluster as each of them sees it (TokenRequest tokens).
import {
  AuthenticationV1Api,
  AuthorizationV1Api,
  CoreV1Api,
  type KubeConfig,
  type KubernetesObject,
  type V1ResourceAttributes,
} from "@kubernetes/client-node";
import { FIELD_MANAGER as LABEL_MANAGER } from "../../functions/label-kata-node/index.ts";
import { runtimeClass } from "../../functions/label-kata-node/runtime-classes.ts";
import { sharedPolicies } from "../../functions/provision-tenant/admission-policies.ts";
import { FIELD_MANAGER as PROVISION_MANAGER } from "../../functions/provision-tenant/index.ts";
import { apply } from "../../shared/kube-apply.ts";
import { kubeFromConfig, type Kube } from "../../shared/kube.ts";
import { PLATFORM_NAMESPACE } from "../../schemas/names.ts";
import { platformIdentities } from "../../shared/platform-identities.ts";
import { eventually, kubeConfig, withToken } from "../harness/servers.ts";
import { BASE, build } from "./manifests.ts";

export const FIELD_MANAGER = "icn-deploy-test";
const RBAC_KINDS = [
  "Namespace",
  "ServiceAccount",
  "ClusterRole",
  "ClusterRoleBinding",
  "Role",
  "RoleBinding",
];

export const admin = (): KubeConfig => kubeConfig();

/** Applies the base's Namespace, ServiceAccounts and RBAC (idempotent: every test file may do it). */
export async function applyBaseRbac(): Promise<KubernetesObject[]> {
  const kube = kubeFromConfig(admin());
  const objects = build(BASE).filter((o) => RBAC_KINDS.includes(o.kind ?? ""));
  const order = (o: KubernetesObject): number => RBAC_KINDS.indexOf(o.kind ?? "");
  for (const obj of [...objects].sort((a, b) => order(a) - order(b))) await apply(kube, obj, FIELD_MANAGER);
  return objects;
}

export { serviceAccountUser } from "../../shared/platform-identities.ts";

/** A short-lived token for the ServiceAccount, minted by the TokenRequest API as a kubelet would. */
export async function serviceAccountConfig(name: string): Promise<KubeConfig> {
  const kc = admin();
  const request = await kc.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
    namespace: PLATFORM_NAMESPACE,
    name,
    body: { spec: { audiences: [], expirationSeconds: 600 } },
  });
  const token = request.status?.token;
  if (!token) throw new Error(`no token for service account ${name}`);
  return withToken(kc, token);
}

export async function serviceAccountKube(name: string): Promise<Kube> {
  return kubeFromConfig(await serviceAccountConfig(name));
}

/** SelfSubjectAccessReview: what the apiserver would decide for this identity. */
export async function can(kc: KubeConfig, attributes: V1ResourceAttributes): Promise<boolean> {
  const review = await kc.makeApiClient(AuthorizationV1Api).createSelfSubjectAccessReview({
    body: { spec: { resourceAttributes: attributes } },
  });
  return review.status?.allowed === true;
}

/** Who the harness' admin credentials are to the apiserver. */
export async function adminUsername(): Promise<string> {
  const review = await admin().makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: {} });
  const name = review.status?.userInfo?.username;
  if (!name) throw new Error("the apiserver did not say who the admin is");
  return name;
}

/**
 * The tamper policy is one cluster-wide object that every suite's provision-tenant rewrites. The
 * platform's identities are the functions' ServiceAccounts (the default); the other suites run
 * their functions as the harness admin, so it stays on the list or they would lock each other out.
 */
export async function platformIdentitiesForTests(): Promise<string[]> {
  return platformIdentities([await adminUsername()]);
}

/**
 * Puts the shared policies (tamper protection included) in place, as provision-tenant does, and
 * waits until the apiserver enforces this version: a platform identity may update what it manages.
 */
export async function applySharedPolicies(): Promise<void> {
  const kube = kubeFromConfig(admin());
  for (const policy of sharedPolicies(await platformIdentitiesForTests()))
    await apply(kube, policy, PROVISION_MANAGER);
  const asLabeller = await serviceAccountKube("label-kata-node");
  await eventually(() => apply(asLabeller, runtimeClass("qemu"), LABEL_MANAGER, { dryRun: "All" }));
}

export interface Attempt {
  ok: boolean;
  status?: number;
  message: string;
}

/** Runs a call that may be refused: the HTTP status and the apiserver's message, never a throw. */
export async function attempt(call: () => Promise<unknown>): Promise<Attempt> {
  try {
    await call();
    return { ok: true, message: "" };
  } catch (err) {
    const e = err as { code?: number; body?: unknown; message?: string };
    const body = typeof e.body === "string" ? e.body : JSON.stringify(e.body ?? "");
    return { ok: false, status: e.code, message: `${body} ${e.message ?? ""}` };
  }
}
