// Whether a tenant may take a namespace: its own, one an operator approved for adoption, never another tenant's.
import type { KubernetesObject } from "@kubernetes/client-node";
import { ADOPT_LABEL, isTenantNamespace, TENANT_LABEL } from "../../schemas/names.ts";
import { permanent, type IcnError } from "../../shared/errors.ts";
import { readIfExists } from "../../shared/kube-apply.ts";
import type { Kube } from "../../shared/kube.ts";

/** Why this request may not take this existing namespace, or undefined when it may (its own, or approved). */
export function namespaceRefusal(namespace: KubernetesObject, tenant: string): IcnError | undefined {
  const name = namespace.metadata?.name ?? "";
  const labels = namespace.metadata?.labels ?? {};
  const owner = labels[TENANT_LABEL];
  if (owner === tenant) return undefined;
  if (owner !== undefined) {
    // A tenant owns "<tenant>-<suffix>" names too, so an older tenant can hold a newer one's name.
    const held =
      isTenantNamespace(name, owner) && name !== owner ? ` (as one of its "${owner}-…" namespaces)` : "";
    const own =
      name === tenant
        ? `; tenant ${tenant} cannot be created under this name: choose another tenant name`
        : "";
    return permanent(
      "NAMESPACE_TAKEN",
      `namespace ${name} belongs to tenant ${owner}${held}${own}, or ask tenant ${owner}'s owner to drop it from that tenant; nothing was changed`,
    );
  }
  if (labels[ADOPT_LABEL] === tenant) return undefined;
  return permanent(
    "ADOPTION_NOT_APPROVED",
    `namespace ${name} already exists and is no tenant's; moving it into tenant ${tenant} is a cluster operator's decision: ` +
      `to approve it, run \`kubectl label namespace ${name} ${ADOPT_LABEL}=${tenant}\` and send the request again; nothing was changed`,
  );
}

/** Refuses the whole request before anything is written; returns the namespaces it adopts. */
export async function checkNamespaces(
  kube: Kube,
  tenant: string,
  namespaces: readonly string[],
): Promise<{ adopted: string[] }> {
  const adopted: string[] = [];
  for (const name of namespaces) {
    const existing = await readIfExists<KubernetesObject>(kube, {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name },
    });
    if (!existing) continue;
    const refusal = namespaceRefusal(existing, tenant);
    if (refusal) throw refusal;
    if (existing.metadata?.labels?.[TENANT_LABEL] !== tenant) adopted.push(name);
  }
  return { adopted };
}
