// The tenant's record through a retire: marked retiring first (no other change gets in), a tombstone last.
import type { KubernetesObject } from "@kubernetes/client-node";
import { PLATFORM_NAMESPACE, TENANT_LABEL } from "../../schemas/names.ts";
import { classifyKubeError } from "../../shared/errors.ts";
import { MANAGED_BY } from "../../shared/kube-apply.ts";
import type { Kube } from "../../shared/kube.ts";
import {
  LIFECYCLE,
  paramsName,
  readConfigMapData,
  stampFields,
  type RequestStamp,
  type TenantRecord,
} from "../../shared/tenant-record.ts";
import type { Retired } from "./plan.ts";

/** What the record says of a retire under way (or done): its namespaces, and when its evictions began. */
export interface RetireMark {
  namespaces: string[];
  since: number;
}

export function retireMarkOf(record: TenantRecord): RetireMark | undefined {
  if (!record[LIFECYCLE]) return undefined;
  const namespaces = (record.retireNamespaces ?? "").split(",").filter(Boolean);
  return { namespaces, since: Date.parse(record.retiringSince ?? "") || Date.now() };
}

/** The tenant.retired of a retire that completed, kept in its tombstone: a redelivery answers it again. */
export function recordedResult(record: TenantRecord): Retired | undefined {
  return record[LIFECYCLE] === "retired" && record.retireResult
    ? (JSON.parse(record.retireResult) as Retired)
    : undefined;
}

/** Written against the version read: a provision-tenant that read the record first must lose (409, retried). */
async function replaceRecord(
  kube: Kube,
  tenant: string,
  data: TenantRecord,
  write: { resourceVersion: string | undefined; fieldManager: string },
): Promise<void> {
  const { resourceVersion, fieldManager } = write;
  const obj = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: paramsName(tenant),
      namespace: PLATFORM_NAMESPACE,
      labels: { ...MANAGED_BY, [TENANT_LABEL]: tenant },
      resourceVersion,
    },
    data,
  } as KubernetesObject;
  try {
    await kube.objects.replace(obj, undefined, undefined, fieldManager);
  } catch (err) {
    throw classifyKubeError(err, `write the record of tenant ${tenant}`);
  }
}

/**
 * Marks the record retiring with the retire's stamp: from here an older request is stale and a newer one
 * refused (TENANT_RETIRING). A redelivered retire finds its own mark and keeps it (and its eviction clock).
 */
export async function markRetiring(
  kube: Kube,
  stamp: RequestStamp & { tenant: string },
  namespaces: readonly string[],
  fieldManager: string,
): Promise<RetireMark> {
  const { tenant } = stamp;
  const current = await readConfigMapData(kube, paramsName(tenant));
  const mark = current && retireMarkOf(current.data);
  if (current && mark && current.data.lastRequestId === stamp.id) return mark;
  const since = new Date();
  const data = {
    ...current?.data,
    [LIFECYCLE]: "retiring",
    ...stampFields({ id: stamp.id, time: stamp.time, sequence: stamp.sequence }),
    retireNamespaces: namespaces.join(","),
    retiringSince: since.toISOString(),
  };
  await replaceRecord(kube, tenant, data, { resourceVersion: current?.resourceVersion, fieldManager });
  return { namespaces: [...namespaces], since: since.getTime() };
}

/** The tombstone: who owned the tenant, the retire's place in time and its result; no parameters. */
export async function markRetired(
  kube: Kube,
  tenant: string,
  result: Retired,
  fieldManager: string,
): Promise<void> {
  const current = await readConfigMapData(kube, paramsName(tenant));
  const data = current?.data ?? {};
  const tombstone: TenantRecord = {
    tenant,
    [LIFECYCLE]: "retired",
    ownerSource: data.ownerSource ?? "",
    lastRequestId: data.lastRequestId ?? "",
    lastRequestTime: data.lastRequestTime ?? "",
    lastRequestSequence: data.lastRequestSequence ?? "0",
    retireNamespaces: data.retireNamespaces ?? "",
    retiredAt: new Date().toISOString(),
    retireResult: JSON.stringify(result),
  };
  await replaceRecord(kube, tenant, tombstone, { resourceVersion: current?.resourceVersion, fieldManager });
}
