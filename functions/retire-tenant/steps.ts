// The steps of a retire, each safe to run again: freeze, evict (then delete at the deadline), remove or release, unbind.
import type { KubernetesObject, V1Pod } from "@kubernetes/client-node";
import { RELEASED_LABEL } from "../../schemas/names.ts";
import { classifyKubeError, IcnError } from "../../shared/errors.ts";
import { deleteIfPresent, eventNameFor, readIfExists, recordEvent } from "../../shared/kube-apply.ts";
import type { Kube } from "../../shared/kube.ts";
import { readConfigMapData } from "../../shared/tenant-record.ts";
import {
  evict,
  podRef,
  releaseNamespace,
  tenantObjectRefs,
  type ReleaseContext,
} from "../../shared/tenant-release.ts";
import {
  requireCordonBinding,
  stateName,
  waitForState,
  writeTenantState,
  type StateChange,
} from "../../shared/tenant-state.ts";
import { podsOf, type RetirePlan } from "./plan.ts";

const CONTROLLER = "retire-tenant";
const POLL_MS = 250;
const NAMESPACES_GONE_MS = 60_000;
const IN_FLIGHT = 8;

const pause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, POLL_MS));
const namespaceRef = (name: string): KubernetesObject => ({
  apiVersion: "v1",
  kind: "Namespace",
  metadata: { name },
});

/**
 * Step 1: the tenant's state becomes `retiring`, which its cordon policy refuses pods for, exactly as for a
 * cordon; proven in each namespace still open to pods before any pod is evicted. A Warning Event says so.
 */
export async function freeze(
  kube: Kube,
  plan: RetirePlan,
  change: StateChange,
  fieldManager: string,
): Promise<void> {
  // Resumed after its namespaces were deleted or released (their bindings may be gone too): nothing left to freeze.
  if (!plan.open.length) return;
  const current = await readConfigMapData(kube, stateName(plan.tenant));
  if (current?.data.state !== "retiring" || current.data.lastRequestId !== change.id) {
    await requireCordonBinding(kube, plan.tenant);
    const write = { resourceVersion: current?.resourceVersion, fieldManager };
    await writeTenantState(kube, change, "retiring", write);
  }
  await waitForState(kube, plan.tenant, "retiring", plan.open);
  const what = plan.keep ? "released (kept, frozen)" : "deleted";
  const note = `tenant ${plan.tenant} is being retired by ${change.source} (request ${change.id})${change.reason ? `: ${change.reason}` : ""}; new pods are refused, its pods are evicted, then this namespace is ${what}`;
  await Promise.all(
    plan.open.map((namespace) =>
      recordEvent(kube, namespaceRef(namespace), {
        type: "Warning",
        reason: "TenantRetiring",
        action: "Retire",
        note,
        controller: CONTROLLER,
        name: eventNameFor(namespace, "retiring", change.source, change.id),
      }),
    ),
  );
}

async function deletePod(kube: Kube, pod: V1Pod): Promise<void> {
  const { name = "", namespace = "", uid } = pod.metadata ?? {};
  try {
    await kube.core.deleteNamespacedPod({ name, namespace, body: { preconditions: { uid } } });
  } catch (err) {
    const code = (err as { code?: number }).code;
    if (code !== 404 && code !== 409) throw classifyKubeError(err, `delete pod ${namespace}/${name}`);
  }
}

/**
 * Step 2: evicts the tenant's pods (the Eviction API, so PodDisruptionBudgets hold) until none runs; at the
 * deadline, deletes those left. The deadline is counted from the retire's first attempt, so a resumed retire
 * does not wait again. Pods already on their way out are not waited for: the namespace goes next.
 */
export async function evictPods(
  kube: Kube,
  plan: RetirePlan,
  deadline: number,
): Promise<{ evicted: string[]; deleted: string[] }> {
  const evicted = new Set<string>();
  const deleted = new Set<string>();
  for (;;) {
    const pods = (await podsOf(kube, plan)).filter((pod) => !pod.metadata?.deletionTimestamp);
    if (!pods.length) return { evicted: [...evicted], deleted: [...deleted] };
    const late = Date.now() >= deadline;
    let held = false;
    // A few at once: one tenant's pods are independent, and each eviction is a round trip of its own.
    for (let i = 0; i < pods.length; i += IN_FLIGHT)
      await Promise.all(
        pods.slice(i, i + IN_FLIGHT).map(async (pod) => {
          if (late) {
            await deletePod(kube, pod);
            deleted.add(podRef(pod));
          } else if (await evict(kube, pod)) evicted.add(podRef(pod));
          else held = true;
        }),
      );
    // Only a disruption budget's "not yet" is worth waiting for; evicted pods are on their way out already.
    if (held) await pause();
  }
}

/** Step 3 (delete): the namespaces, and a wait until they are gone, so no binding goes while one still exists. */
export async function deleteNamespaces(kube: Kube, plan: RetirePlan): Promise<void> {
  await Promise.all(plan.existing.map((name) => deleteIfPresent(kube, namespaceRef(name))));
  const until = Date.now() + NAMESPACES_GONE_MS;
  for (;;) {
    const found = await Promise.all(plan.existing.map((name) => readIfExists(kube, namespaceRef(name))));
    const left = plan.existing.filter((_, i) => found[i]);
    if (!left.length) return;
    if (Date.now() > until)
      throw new IcnError(
        "RETIRE_NAMESPACES_TERMINATING",
        `namespace(s) ${left.join(", ")} of tenant ${plan.tenant} are still terminating; the retire goes on when retried`,
      );
    await pause();
  }
}

/** Step 3 (keep: namespaces): each namespace still the tenant's is released as a dropped one is. */
export async function releaseNamespaces(
  kube: Kube,
  plan: RetirePlan,
  context: Omit<ReleaseContext, "tenant" | "drain" | "controller">,
  fieldManager: string,
): Promise<void> {
  for (const name of plan.existing) {
    const freezeObject = {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name, labels: { [RELEASED_LABEL]: plan.tenant } },
    };
    const release = { name, freeze: freezeObject, ...tenantObjectRefs(name) };
    const full = { ...context, tenant: plan.tenant, drain: true, controller: CONTROLLER };
    await releaseNamespace(kube, release, full, fieldManager);
  }
}

/** Step 4, last: the tenant's policy bindings and its state; the record becomes a tombstone after this. */
export async function unbind(kube: Kube, plan: RetirePlan): Promise<void> {
  for (const binding of plan.bindings) await deleteIfPresent(kube, binding);
  await deleteIfPresent(kube, plan.state);
}
