// What a run leaves behind, removed: its pods first (on a deleted node nothing would finish them), its nodes, its
// tenants' namespaces and the cluster-scoped bindings and parameters provision-tenant made for them.
import { AdmissionregistrationV1Api } from "@kubernetes/client-node";
import { PLATFORM_NAMESPACE, TENANT_LABEL } from "../../schemas/names.ts";
import { pool } from "./bus-timing.ts";
import { eventually } from "../harness/servers.ts";
import { POOL_LABEL, slices, type ScaleContext } from "./scale-plan.ts";
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
    eventually(() =>
      ctx.kube.core
        .deleteCollectionNamespacedPod({ namespace, gracePeriodSeconds: 0 })
        .then(() => undefined, unlessMissing),
    ),
  );
}

/** Slice by slice, each tried again until the apiserver has done it: a loaded one times out on a thousand nodes at once. */
export async function removeNodes(ctx: ScaleContext, selector: string): Promise<void> {
  await pool(slices(selector), 4, (labelSelector) =>
    eventually(async () => {
      await ctx.kube.core.deleteCollectionNode({ labelSelector });
    }, 300_000),
  );
}

/**
 * Pods, then the joined nodes, then the namespaces (their controllers finish the rest), then the tenants'
 * bindings and parameters. All of them: the platform's anchor bindings keep the apiserver resolving
 * parameters when no tenant is left (functions/provision-tenant/param-anchors.ts).
 */
export async function removeRun(ctx: ScaleContext, tenants: string[], namespaces: string[]): Promise<void> {
  const { core } = ctx.kube;
  progress(`cleanup: ${namespaces.length} namespaces, the run's nodes, ${tenants.length} tenants' bindings`);
  await removePods(ctx, namespaces);
  await removeNodes(ctx, `${POOL_LABEL}=${ctx.run}`);
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
