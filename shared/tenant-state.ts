// A tenant's lifecycle state (active, cordoned or retiring), kept where no tenant can write and read by its cordon policy as parameters.
import type { KubernetesObject } from "@kubernetes/client-node";
import { PLATFORM_NAMESPACE, TENANT_LABEL } from "../schemas/names.ts";
import { refusedWith, waitForProbe, type ProbeAnswer } from "./enforcement-probe.ts";
import { classifyKubeError, permanent } from "./errors.ts";
import { eventNameFor, MANAGED_BY, readIfExists, recordEvent } from "./kube-apply.ts";
import type { Kube } from "./kube.ts";
import {
  checkOwner,
  orderRequest,
  paramsName,
  readConfigMapData,
  readTenantRecord,
  refuseFutureTime,
  refuseRetired,
  stampFields,
  tenantNamespacesOf,
  type RequestStamp,
  type TenantChangeOptions,
} from "./tenant-record.ts";

/** Every state but `active` freezes the tenant's pods: the cordon policy admits only `active` (or no state). */
export const TENANT_STATES = ["active", "cordoned", "retiring"] as const;
export type TenantState = (typeof TENANT_STATES)[number];

/** The policy that reads the state, shared by all tenants; provision-tenant binds it once per tenant. */
export const CORDON_POLICY = "icn-tenant-cordon";

export function cordonBindingName(tenant: string): string {
  return `${CORDON_POLICY}.${tenant}`;
}

/** `tenant-<name>.state`: the dot keeps it apart from any tenant's parameters, since tenant names have none. */
export function stateName(tenant: string): string {
  return `${paramsName(tenant)}.state`;
}

/** How the cordon policy's refusal begins (its message expression builds the same words from the state). */
export function frozenMessage(tenant: string, state: string): string {
  return `tenant ${tenant} is ${state}`;
}

/** One tenant event that sets the state: who sent it, its place in time, and why. */
export interface StateChange extends RequestStamp {
  tenant: string;
  source: string;
  reason?: string;
}

/** The change a cordon or uncordon event asks for; the stream sequence breaks ties between equal times. */
export function stateChangeOf(
  event: { source: string; id: string; time?: string; data: { tenant: string; reason?: string } },
  sequence: number,
): StateChange {
  const { tenant, reason } = event.data;
  return { tenant, reason, source: event.source, id: event.id, time: event.time ?? "", sequence };
}

function stateObject(change: StateChange, state: TenantState, stamp: RequestStamp): KubernetesObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: stateName(change.tenant),
      namespace: PLATFORM_NAMESPACE,
      labels: { ...MANAGED_BY, [TENANT_LABEL]: change.tenant },
    },
    data: {
      tenant: change.tenant,
      state,
      reason: change.reason ?? "",
      requestSource: change.source,
      ...stampFields(stamp),
    },
  } as KubernetesObject;
}

/**
 * Written against the version read: cordon-tenant and uncordon-tenant may run at once for one tenant,
 * and the one that read an older stamp must lose (409, retried: it then reads the newer stamp).
 */
async function writeState(
  kube: Kube,
  obj: KubernetesObject,
  resourceVersion: string | undefined,
  fieldManager: string,
): Promise<void> {
  try {
    if (resourceVersion === undefined) await kube.objects.create(obj, undefined, undefined, fieldManager);
    else
      await kube.objects.replace(
        { ...obj, metadata: { ...obj.metadata, resourceVersion } },
        undefined,
        undefined,
        fieldManager,
      );
  } catch (err) {
    throw classifyKubeError(err, `write the state of tenant ${obj.metadata?.labels?.[TENANT_LABEL] ?? ""}`);
  }
}

/** A tenant provisioned before cordons existed has no cordon binding: its state would change nothing. */
export async function requireCordonBinding(kube: Kube, tenant: string): Promise<void> {
  const binding = await readIfExists(kube, {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicyBinding",
    metadata: { name: cordonBindingName(tenant) },
  });
  if (!binding)
    throw permanent(
      "CORDON_UNBOUND",
      `tenant ${tenant} has no binding ${cordonBindingName(tenant)} (it was provisioned before cordons existed): replay its last tenant.requested so provision-tenant binds it, then send this again; nothing was changed`,
    );
}

/** Proof at the apiserver, per namespace: a frozen tenant's probe is refused, naming its state; an active one's is not. */
export function stateEnforced(tenant: string, state: TenantState): (answer: ProbeAnswer) => boolean {
  const cordoned = frozenMessage(tenant, "cordoned");
  return state === "active"
    ? (answer) => answer.admitted || !answer.message.includes(cordoned)
    : refusedWith(frozenMessage(tenant, state));
}

/** A Kubernetes Event on each namespace, named after the request: a retry or replay records none twice. */
async function recordStateEvents(
  kube: Kube,
  namespaces: readonly string[],
  change: StateChange,
  state: TenantState,
): Promise<void> {
  const cordoned = state !== "active";
  const note = cordoned
    ? `tenant ${change.tenant} cordoned by ${change.source} (request ${change.id}): ${change.reason ?? ""}; new pods and pod changes are refused, running pods keep running`
    : `tenant ${change.tenant} uncordoned by ${change.source} (request ${change.id})${change.reason ? `: ${change.reason}` : ""}; pods are admitted again`;
  for (const namespace of namespaces)
    await recordEvent(
      kube,
      { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } },
      {
        type: cordoned ? "Warning" : "Normal",
        reason: cordoned ? "TenantCordoned" : "TenantUncordoned",
        action: cordoned ? "Cordon" : "Uncordon",
        note,
        controller: cordoned ? "cordon-tenant" : "uncordon-tenant",
        name: eventNameFor(namespace, state, change.source, change.id),
      },
    );
}

/**
 * Sets the tenant's state for a request its owner (or a granted source) sent, unless a newer cordon or
 * uncordon was applied already; returns once the apiserver enforces it in every namespace of the tenant,
 * each of which then has an Event saying so.
 */
export async function setTenantState(
  kube: Kube,
  change: StateChange,
  state: TenantState,
  options: TenantChangeOptions & { fieldManager: string },
): Promise<{ namespaces: string[] }> {
  const { tenant } = change;
  refuseFutureTime(change.time, options);
  const record = await readTenantRecord(kube, tenant);
  if (!record)
    throw permanent(
      "NOT_FOUND",
      `tenant ${tenant} does not exist (no ${PLATFORM_NAMESPACE}/${paramsName(tenant)}); nothing was changed`,
    );
  refuseRetired(tenant, record);
  checkOwner(record, change, options.tenantGrants);
  await requireCordonBinding(kube, tenant);
  const current = await readConfigMapData(kube, stateName(tenant));
  const stamp = orderRequest(tenant, current?.data, change);
  const write = { resourceVersion: current?.resourceVersion, fieldManager: options.fieldManager };
  await writeState(kube, stateObject(change, state, stamp), write.resourceVersion, write.fieldManager);
  const namespaces = await tenantNamespacesOf(kube, tenant);
  await waitForState(kube, tenant, state, namespaces);
  await recordStateEvents(kube, namespaces, change, state);
  return { namespaces };
}

/** Returns once the apiserver enforces the tenant's state in each of these namespaces (its probes say so). */
export async function waitForState(
  kube: Kube,
  tenant: string,
  state: TenantState,
  namespaces: readonly string[],
): Promise<void> {
  // Each namespace's probe on its own: the policy reaches them all at once, so they wait side by side.
  await Promise.all(
    namespaces.map((namespace) =>
      waitForProbe(kube, namespace, {
        scope: "cordon",
        expected: stateEnforced(tenant, state),
        pending: `the apiserver does not enforce tenant ${tenant}'s state ${state} in namespace ${namespace} yet`,
      }),
    ),
  );
}

/**
 * Writes the state with the change's own stamp, against the version read (undefined: none yet); the caller
 * has checked owner and order. retire-tenant freezes a tenant this way before it removes anything.
 */
export async function writeTenantState(
  kube: Kube,
  change: StateChange,
  state: TenantState,
  write: { resourceVersion: string | undefined; fieldManager: string },
): Promise<void> {
  await writeState(kube, stateObject(change, state, change), write.resourceVersion, write.fieldManager);
}
