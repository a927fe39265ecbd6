// Who owns a namespace, and whether a request is newer than the one a tenant last applied.
import type { KubernetesObject } from "@kubernetes/client-node";
import { PLATFORM_NAMESPACE, TENANT_LABEL } from "../../schemas/names.ts";
import { permanent } from "../../shared/errors.ts";
import { readIfExists } from "../../shared/kube-apply.ts";
import type { Kube } from "../../shared/kube.ts";
import { paramsName } from "./admission-policies.ts";

/** Refuses the whole request before anything is written if one namespace belongs to another tenant. */
export async function checkOwnership(
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
    const owner = existing.metadata?.labels?.[TENANT_LABEL];
    if (owner === undefined) adopted.push(name);
    else if (owner !== tenant)
      throw permanent("POLICY_REFUSED", `namespace ${name} belongs to tenant ${owner}; nothing was changed`);
  }
  return { adopted };
}

/** The request's place in time: producer time first, then the stream sequence that broke ties. */
export interface RequestStamp {
  id: string;
  time: string;
  sequence: number;
}

export function stampData(stamp: RequestStamp): Record<string, string> {
  return {
    lastRequestId: stamp.id,
    lastRequestTime: stamp.time,
    lastRequestSequence: String(stamp.sequence),
  };
}

function isOlder(request: RequestStamp, applied: RequestStamp): boolean {
  const [a, b] = [Date.parse(request.time), Date.parse(applied.time)];
  if (a !== b) return a < b;
  return request.sequence < applied.sequence;
}

/**
 * Throws STALE_REQUEST when a newer request was already applied. Returns the stamp to record:
 * a replay of the request last applied keeps its original stamp, so it changes nothing at all.
 */
export async function orderRequest(kube: Kube, tenant: string, request: RequestStamp): Promise<RequestStamp> {
  const params = await readIfExists(kube, {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: paramsName(tenant), namespace: PLATFORM_NAMESPACE },
  });
  const data = (params as (KubernetesObject & { data?: Record<string, string> }) | undefined)?.data;
  if (!data?.lastRequestTime) return request;
  const applied = {
    id: data.lastRequestId ?? "",
    time: data.lastRequestTime,
    sequence: Number(data.lastRequestSequence ?? 0),
  };
  if (applied.id === request.id) return applied;
  if (isOlder(request, applied))
    throw permanent(
      "STALE_REQUEST",
      `a newer request for tenant ${tenant} (${applied.id}, ${applied.time}) is already applied; this one changes nothing`,
    );
  return request;
}
