// Two versions of one object compared field by field, leaving out what the apiserver keeps for itself.
import type { KubernetesObject } from "@kubernetes/client-node";

/** What a request does to one object; `refused`: the apiserver refused its dry run (the refusal says why). */
export const CHANGE_ACTIONS = ["create", "update", "release", "delete", "unchanged", "refused"] as const;
export type ChangeAction = (typeof CHANGE_ACTIONS)[number];

export interface FieldChange {
  /** `spec.hard.pods`, `metadata.labels["icn.akraino.org/tenant"]`. */
  path: string;
  /** Absent when the field is added. */
  from?: unknown;
  /** Absent when the field is removed. */
  to?: unknown;
}

// Bookkeeping that changes on every write, or that no request sets.
const SERVER_FIELDS = new Set([
  "managedFields",
  "resourceVersion",
  "generation",
  "uid",
  "creationTimestamp",
  "selfLink",
]);

/** The object as a request shapes it: no status, no server bookkeeping in its metadata. */
export function comparable(obj: KubernetesObject): Record<string, unknown> {
  const { metadata = {}, ...rest } = obj as KubernetesObject & { status?: unknown };
  delete rest.status;
  const kept = Object.entries(metadata).filter(([key]) => !SERVER_FIELDS.has(key));
  return { ...rest, metadata: Object.fromEntries(kept) };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const join = (path: string, key: string): string =>
  /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${JSON.stringify(key)}]`;

/** Leaves that differ; a list that differs is one change (its items have no names to pair them by). */
export function fieldChanges(before: unknown, after: unknown, path = ""): FieldChange[] {
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => fieldChanges(before[key], after[key], join(path, key)));
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [
    {
      path,
      ...(before === undefined ? {} : { from: before }),
      ...(after === undefined ? {} : { to: after }),
    },
  ];
}

const shown = (value: unknown): string => (typeof value === "string" ? value : JSON.stringify(value));

/** `spec.hard.pods: 50 → 80`, `spec.hard["requests.storage"]: 10Gi → (removed)`. */
export function describeChange(change: FieldChange): string {
  const from = "from" in change ? shown(change.from) : "(none)";
  const to = "to" in change ? shown(change.to) : "(removed)";
  return `${change.path}: ${from} → ${to}`;
}
