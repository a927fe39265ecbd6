// What a retire test reads back: the tenant's bindings, its ConfigMaps, and every resourceVersion a retire could move.
import {
  AdmissionregistrationV1Api,
  CoreV1Api,
  RbacAuthorizationV1Api,
  type KubeConfig,
  type V1ObjectMeta,
} from "@kubernetes/client-node";
import { PLATFORM_NAMESPACE, TENANT_LABEL } from "../../schemas/names.ts";

/** The tenant's admission-policy bindings, as "Kind/name". */
export async function tenantBindings(api: AdmissionregistrationV1Api, tenant: string): Promise<string[]> {
  const labelSelector = `${TENANT_LABEL}=${tenant}`;
  const mutating = await api.listMutatingAdmissionPolicyBinding({ labelSelector });
  const validating = await api.listValidatingAdmissionPolicyBinding({ labelSelector });
  return [
    ...mutating.items.map((b) => `MutatingAdmissionPolicyBinding/${b.metadata?.name ?? ""}`),
    ...validating.items.map((b) => `ValidatingAdmissionPolicyBinding/${b.metadata?.name ?? ""}`),
  ].sort();
}

/** The tenant's ConfigMaps in the platform's namespace (record, state), by name. */
export async function tenantConfigMaps(
  core: CoreV1Api,
  tenant: string,
): Promise<Record<string, Record<string, string>>> {
  const list = await core.listNamespacedConfigMap({
    namespace: PLATFORM_NAMESPACE,
    labelSelector: `${TENANT_LABEL}=${tenant}`,
  });
  return Object.fromEntries(list.items.map((cm) => [cm.metadata?.name ?? "", cm.data ?? {}]));
}

const versionOf = (kind: string, meta: V1ObjectMeta | undefined): [string, string] => [
  `${kind}/${meta?.namespace ?? ""}/${meta?.name ?? ""}`,
  meta?.resourceVersion ?? "",
];

/** Every object of the tenant a retire would touch, with its resourceVersion: equal maps mean nothing changed. */
export async function resourceVersions(
  kc: KubeConfig,
  tenant: string,
  namespaces: readonly string[],
): Promise<Record<string, string>> {
  const core = kc.makeApiClient(CoreV1Api);
  const admission = kc.makeApiClient(AdmissionregistrationV1Api);
  const labelSelector = `${TENANT_LABEL}=${tenant}`;
  const versions: [string, string][] = [];
  for (const name of namespaces) {
    versions.push(versionOf("Namespace", (await core.readNamespace({ name })).metadata));
    for (const pod of (await core.listNamespacedPod({ namespace: name })).items)
      versions.push(versionOf("Pod", pod.metadata));
    for (const binding of (
      await kc.makeApiClient(RbacAuthorizationV1Api).listNamespacedRoleBinding({ namespace: name })
    ).items)
      versions.push(versionOf("RoleBinding", binding.metadata));
  }
  for (const b of (await admission.listMutatingAdmissionPolicyBinding({ labelSelector })).items)
    versions.push(versionOf("MutatingAdmissionPolicyBinding", b.metadata));
  for (const b of (await admission.listValidatingAdmissionPolicyBinding({ labelSelector })).items)
    versions.push(versionOf("ValidatingAdmissionPolicyBinding", b.metadata));
  const maps = await core.listNamespacedConfigMap({ namespace: PLATFORM_NAMESPACE, labelSelector });
  for (const cm of maps.items) versions.push(versionOf("ConfigMap", cm.metadata));
  return Object.fromEntries(versions.sort(([a], [b]) => a.localeCompare(b)));
}
