// Idempotent Kubernetes writes: server-side apply under a field manager, delete-if-present, Events.
import type { KubernetesObject } from "@kubernetes/client-node";
import { hash } from "node:crypto";
import { classifyKubeError, isIcnError, permanent } from "./errors.ts";
import type { Kube } from "./kube.ts";

export const MANAGED_BY = { "app.kubernetes.io/managed-by": "icn-secure-tenancy" } as const;

/** `Kind/namespace/name` or `Kind/name`, as results and logs name objects. */
export function refOf(obj: KubernetesObject): string {
  const { namespace, name } = obj.metadata ?? {};
  return [obj.kind, namespace, name].filter(Boolean).join("/");
}

/** Server-side apply: the same object applied twice changes nothing (no resourceVersion moves). */
export async function apply<T extends KubernetesObject>(
  kube: Kube,
  obj: T,
  fieldManager: string,
  options: { dryRun?: "All" } = {},
): Promise<T> {
  try {
    return await kube.objects.serverSideApply(obj, { fieldManager, force: true, dryRun: options.dryRun });
  } catch (err) {
    throw classifyKubeError(err, `apply ${refOf(obj)}`);
  }
}

/** Managers other than ours that own fields of the object itself (status writers do not count). */
export function foreignManagers(obj: KubernetesObject, fieldManager: string): string[] {
  return (obj.metadata?.managedFields ?? [])
    .filter((entry) => entry.manager !== fieldManager && !entry.subresource)
    .map((entry) => entry.manager ?? "(unnamed)");
}

/**
 * Apply for an object the platform names and owns whole. Server-side apply merges: fields another
 * manager set (a pre-planted NetworkPolicy's allow-all rules) would survive under our name and our
 * tamper protection, and a field that cannot change (a RoleBinding's roleRef) would fail the apply.
 * So an object of our name that another manager wrote is deleted and created again as ours alone
 * (a replace would leave the other manager co-owning every field we set to the same value).
 */
export async function applyOwned<T extends KubernetesObject>(
  kube: Kube,
  obj: T,
  fieldManager: string,
  options: { dryRun?: "All" } = {},
): Promise<T> {
  let applied: T | undefined;
  try {
    applied = await apply(kube, obj, fieldManager, options);
  } catch (err) {
    if (!isImmutableClash(err)) throw err;
  }
  if (applied && foreignManagers(applied, fieldManager).length === 0) return applied;
  return recreate(kube, obj, fieldManager, options);
}

// 422 Invalid: an existing object of our name holds a value we may not change in place.
function isImmutableClash(err: unknown): boolean {
  return isIcnError(err) && err.code === "KUBE_REJECTED" && /immutable|cannot change/i.test(err.message);
}

async function recreate<T extends KubernetesObject>(
  kube: Kube,
  obj: T,
  fieldManager: string,
  options: { dryRun?: "All" },
): Promise<T> {
  const existing = await readIfExists(kube, obj);
  if (existing && foreignManagers(existing, fieldManager).length === 0)
    throw permanent(
      "KUBE_REJECTED",
      `apply ${refOf(obj)}: an unchangeable field differs from the platform's own object`,
    );
  if (existing) {
    try {
      const preconditions = { uid: existing.metadata?.uid };
      await kube.objects.delete(existing, undefined, options.dryRun, undefined, undefined, undefined, {
        preconditions,
      });
    } catch (err) {
      // 404: gone already; 409: another writer recreated it meanwhile; either way, apply decides next.
      const code = (err as { code?: number }).code;
      if (code !== 404 && code !== 409)
        throw classifyKubeError(
          err,
          `delete ${refOf(obj)} (written by ${foreignManagers(existing, fieldManager).join(", ")})`,
        );
    }
  }
  return apply(kube, obj, fieldManager, options);
}

/** Removes one label, whoever set it (server-side apply can drop only labels its own manager owns). */
export async function removeLabel(
  kube: Kube,
  obj: KubernetesObject,
  key: string,
  fieldManager: string,
): Promise<void> {
  try {
    await kube.objects.mergePatch(obj, { metadata: { labels: { [key]: null } } }, fieldManager);
  } catch (err) {
    throw classifyKubeError(err, `remove label ${key} from ${refOf(obj)}`);
  }
}

/** Deletes an object; one that is gone already is success (the goal is reached). */
export async function deleteIfPresent(kube: Kube, obj: KubernetesObject): Promise<void> {
  try {
    await kube.objects.delete(obj);
  } catch (err) {
    if ((err as { code?: number }).code === 404) return;
    throw classifyKubeError(err, `delete ${refOf(obj)}`);
  }
}

/** Reads an object, or undefined when it does not exist (an event is a hint, the cluster is truth). */
export async function readIfExists<T extends KubernetesObject>(kube: Kube, obj: T): Promise<T | undefined> {
  try {
    return await kube.objects.read<T>(obj as T & { metadata: { name: string } });
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw classifyKubeError(err, `read ${refOf(obj)}`);
  }
}

/**
 * A stable Event name for `recordEvent`: the object's name, a dot, a digest of `key` (the same key, the
 * same name), within the 253 characters an Event's name may have.
 */
export function eventNameFor(objectName: string, ...key: string[]): string {
  return `${objectName.slice(0, 200).replace(/[-.]+$/, "")}.${hash("sha256", key.join("\u0000"), "hex").slice(0, 20)}`;
}

/**
 * Records a Kubernetes Event on the object a function acted on (`kubectl describe` shows it).
 * With a `name`, recording is idempotent: false when an Event of that name already exists.
 */
export async function recordEvent(
  kube: Kube,
  regarding: KubernetesObject,
  event: {
    reason: string;
    note: string;
    action: string;
    controller: string;
    type?: "Normal" | "Warning";
    name?: string;
  },
): Promise<boolean> {
  const meta = regarding.metadata ?? {};
  // Cluster-scoped objects keep their Events in "default", except a Namespace, which keeps its own.
  const namespace = meta.namespace ?? (regarding.kind === "Namespace" ? meta.name : undefined) ?? "default";
  const now = new Date();
  const body = {
    apiVersion: "events.k8s.io/v1",
    kind: "Event",
    // Named as kubectl names events: the object, a dot, something unique.
    metadata: {
      name:
        event.name ??
        `${meta.name ?? "object"}.${now.getTime().toString(16)}${Math.random().toString(16).slice(2, 8)}`,
      namespace,
      labels: { ...MANAGED_BY },
    },
    // MicroTime: the API wants exactly six fractional digits.
    eventTime: now.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z"),
    reportingController: `icn.akraino.org/${event.controller}`,
    reportingInstance: `${event.controller}-${process.pid}`,
    action: event.action,
    reason: event.reason,
    note: event.note.slice(0, 1000),
    type: event.type ?? "Normal",
    regarding: {
      apiVersion: regarding.apiVersion,
      kind: regarding.kind,
      name: meta.name,
      namespace: regarding.kind === "Namespace" ? namespace : meta.namespace,
      uid: meta.uid,
      resourceVersion: meta.resourceVersion,
    },
  };
  try {
    await kube.objects.create(body);
    return true;
  } catch (err) {
    if (event.name && (err as { code?: number }).code === 409) return false;
    throw classifyKubeError(err, `record event on ${refOf(regarding)}`);
  }
}
