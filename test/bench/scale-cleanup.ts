// What a run leaves behind, removed: its pods first (on a deleted node nothing would finish them), its nodes, its
// tenants' namespaces and the cluster-scoped bindings and parameters provision-tenant made for them.
import { AdmissionregistrationV1Api } from "@kubernetes/client-node";
import { PLATFORM_NAMESPACE, TENANT_LABEL } from "../../schemas/names.ts";
import { pool } from "./bus-timing.ts";
import { POOL_LABEL, type ScaleContext } from "./scale-plan.ts";
import { progress } from "./support.ts";

const IN_FLIGHT = 16;
const CHUNK = 50;

/** Already gone is gone: a cleanup that runs after a failure must not fail on what was never made. */
const unlessMissing = (err: unknown): void => {
  if ((err as { code?: number }).code !== 404) throw err;
};

/** The run's pods in these namespaces, at once: the API forgets them without waiting for a kubelet. */
async function removePods(ctx: ScaleContext, namespaces: string[]): Promise<void> {
  await pool(namespaces, IN_FLIGHT, (namespace) =>
    ctx.kube.core
      .deleteCollectionNamespacedPod({ namespace, gracePeriodSeconds: 0 })
      .then(() => undefined, unlessMissing),
  );
}

/** Pods, then the joined nodes, then the namespaces (their controllers finish the rest), then the tenants' bindings. */
export async function removeRun(ctx: ScaleContext, tenants: string[], namespaces: string[]): Promise<void> {
  const { core } = ctx.kube;
  progress(`cleanup: ${namespaces.length} namespaces, the run's nodes, ${tenants.length} tenants' bindings`);
  await removePods(ctx, namespaces);
  await core.deleteCollectionNode({ labelSelector: `${POOL_LABEL}=${ctx.run}` });
  await pool(namespaces, IN_FLIGHT, (name) =>
    core.deleteNamespace({ name }).then(() => undefined, unlessMissing),
  );
  const admission = ctx.kube.config.makeApiClient(AdmissionregistrationV1Api);
  for (let i = 0; i < tenants.length; i += CHUNK) {
    const labelSelector = `${TENANT_LABEL} in (${tenants.slice(i, i + CHUNK).join(",")})`;
    await admission.deleteCollectionMutatingAdmissionPolicyBinding({ labelSelector });
    await admission.deleteCollectionValidatingAdmissionPolicyBinding({ labelSelector });
    await core.deleteCollectionNamespacedConfigMap({ namespace: PLATFORM_NAMESPACE, labelSelector });
  }
}
