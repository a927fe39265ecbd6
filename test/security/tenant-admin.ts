// Where the tenant-admin attacks start: a tenant namespace and its admin, made by hand, with the guards in force.
import { CoreV1Api, RbacAuthorizationV1Api, type KubeConfig } from "@kubernetes/client-node";
import { TENANT_LABEL } from "../../schemas/names.ts";
import { applyBaseRbac, applySharedPolicies, attempt, type Attempt } from "../deploy/identities.ts";
import { eventually, impersonating, kubeConfig, uniqueName } from "../harness/servers.ts";

export interface TenantAdmin {
  tenant: string;
  /** The tenant's namespace, named after it. */
  namespace: string;
  user: string;
  /** The cluster as the tenant admin sees it. */
  kc: KubeConfig;
}

/** A namespace labelled for a new tenant, and a User bound to `admin` in it, as provision-tenant would leave them. */
export async function aTenantAdmin(prefix: string): Promise<TenantAdmin> {
  await applyBaseRbac();
  await applySharedPolicies();
  const admin = kubeConfig();
  const tenant = uniqueName(prefix);
  const user = `alice-${tenant}`;
  await admin.makeApiClient(CoreV1Api).createNamespace({
    body: { metadata: { name: tenant, labels: { [TENANT_LABEL]: tenant } } },
  });
  await admin.makeApiClient(RbacAuthorizationV1Api).createNamespacedRoleBinding({
    namespace: tenant,
    body: {
      metadata: { name: "tenant-admins" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "admin" },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: user }],
    },
  });
  const kc = impersonating(admin, user);
  // The authorizer learns of a new RoleBinding through a watch: wait until it counts.
  await eventually(() => kc.makeApiClient(CoreV1Api).listNamespacedConfigMap({ namespace: tenant }));
  return { tenant, namespace: tenant, user, kc };
}

/**
 * Repeats a server-side dry-run of the attack until the apiserver refuses it: a policy just
 * applied takes a moment to be enforced. Dry-run, so an attack that gets through leaves nothing
 * behind that a retry could trip over (and mistake for a refusal).
 */
export async function refusedOnceEnforced(dryRun: () => Promise<unknown>): Promise<Attempt> {
  return eventually(async () => {
    const result = await attempt(dryRun);
    if (result.ok) throw new Error("the apiserver accepted the attack");
    return result;
  });
}
