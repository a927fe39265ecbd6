// What a tenant.requested would change: provision-tenant's own checks and plan, each object applied as a server-side dry run.
import type { KubernetesObject } from "@kubernetes/client-node";
import { runtimeClassesFor } from "../../functions/provision-tenant/kata-classes.ts";
import type { ProvisionTenantOptions } from "../../functions/provision-tenant/options.ts";
import { namespaceRefusal } from "../../functions/provision-tenant/ownership.ts";
import { FIELD_MANAGER, plan } from "../../functions/provision-tenant/provision.ts";
import {
  checkReleasable,
  releasePlan,
  type NamespaceRelease,
} from "../../functions/provision-tenant/release.ts";
import type { TenantRequest } from "../../functions/provision-tenant/tenant-objects.ts";
import { PLATFORM_NAMESPACE, TENANT_LABEL, tenantNamespaces } from "../../schemas/names.ts";
import { isIcnError } from "../../shared/errors.ts";
import { apply, foreignManagers, readIfExists, refOf } from "../../shared/kube-apply.ts";
import type { Kube } from "../../shared/kube.ts";
import {
  checkOwner,
  orderRequest,
  readTenantRecord,
  refuseFutureTime,
  stampData,
  tenantNamespacesOf,
  type TenantRecord,
} from "../../shared/tenant-record.ts";
import { comparable, fieldChanges, type ChangeAction, type FieldChange } from "./changes.ts";

export interface ObjectChange {
  action: ChangeAction;
  /** `Kind/namespace/name`. */
  object: string;
  /** What an update changes, field by field. */
  fields?: FieldChange[];
  note?: string;
}

/** Why provision-tenant would refuse the request; a refused request changes nothing at all. */
export interface Refusal {
  code: string;
  message: string;
}

export interface TenantDiff {
  tenant: string;
  /** Whether the tenant exists already (its record is in icn-system). */
  exists: boolean;
  changes: ObjectChange[];
  refusals: Refusal[];
}

/** A refusal of the request itself; the apiserver being away or forbidding the reader is the caller's failure. */
function refusalOf(err: unknown): Refusal {
  if (isIcnError(err) && !err.retryable && err.code !== "KUBE_FORBIDDEN")
    return { code: err.code, message: err.message };
  throw err;
}

/** The record's stamp (owner, last request) as it is: what a request changes is not the stamp it leaves. */
function carried(record: TenantRecord | undefined): TenantRecord {
  const stampKeys = Object.keys(stampData({ id: "", time: "", sequence: 0 }, ""));
  return Object.fromEntries(Object.entries(record ?? {}).filter(([key]) => stampKeys.includes(key)));
}

/**
 * Who may send it, and whether it is newer than what was applied (a retiring tenant takes none): as of its
 * CloudEvent's source and time when the file is one, else as if sent now (ownership only with a source).
 */
function checkOrder(record: TenantRecord | undefined, request: TenantRequest, options: DiffOptions): void {
  const { tenant } = request;
  if (options.source) checkOwner(record, { tenant, source: options.source }, options.tenantGrants);
  refuseFutureTime(options.time, options);
  const time = options.time ?? new Date().toISOString();
  orderRequest(tenant, record, { id: options.id ?? "", time, sequence: Number.MAX_SAFE_INTEGER });
}

/** The requested namespaces that exist, each checked as provision-tenant checks it before it writes anything. */
async function existingNamespaces(
  kube: Kube,
  request: TenantRequest,
  refusals: Refusal[],
): Promise<Map<string, KubernetesObject>> {
  const existing = new Map<string, KubernetesObject>();
  for (const name of tenantNamespaces(request.tenant, request.namespaces)) {
    const found = await readIfExists<KubernetesObject>(kube, {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name },
    });
    if (!found) continue;
    existing.set(name, found);
    const refusal = namespaceRefusal(found, request.tenant);
    if (refusal) refusals.push(refusalOf(refusal));
  }
  return existing;
}

function notesOf(
  obj: KubernetesObject,
  after: KubernetesObject,
  existing: Map<string, KubernetesObject>,
  tenant: string,
): string | undefined {
  // provision-tenant merges into a Namespace, which keeps what others set on it; everything else it owns whole.
  const others = obj.kind === "Namespace" ? [] : foreignManagers(after, FIELD_MANAGER);
  if (others.length)
    return `written by ${others.join(", ")} too: provision-tenant deletes it and creates it as its own`;
  const namespace = obj.kind === "Namespace" ? existing.get(obj.metadata?.name ?? "") : undefined;
  if (namespace && namespace.metadata?.labels?.[TENANT_LABEL] !== tenant)
    return "adopted: an operator approved it";
  return undefined;
}

/** Who reads the cluster (the operator), and who applies the dry runs (the operator, or provision-tenant with --as). */
export interface DiffKubes {
  read: Kube;
  dryRun: Kube;
}

/** One planned object: its dry-run apply against what the cluster holds now. */
async function diffObject(
  kubes: DiffKubes,
  obj: KubernetesObject,
  existing: Map<string, KubernetesObject>,
  tenant: string,
): Promise<ObjectChange> {
  const object = refOf(obj);
  const namespace = obj.metadata?.namespace;
  // The apiserver cannot dry-run an object into a namespace that does not exist yet.
  if (namespace && namespace !== PLATFORM_NAMESPACE && !existing.has(namespace))
    return { action: "create", object, note: "in a namespace this request creates" };
  const current = await readIfExists(kubes.read, obj);
  const after = await apply(kubes.dryRun, obj, FIELD_MANAGER, { dryRun: "All" });
  const note = notesOf(obj, after, existing, tenant);
  const extra = note ? { note } : {};
  if (!current) return { action: "create", object, ...extra };
  const fields = fieldChanges(comparable(current), comparable(after));
  return fields.length
    ? { action: "update", object, fields, ...extra }
    : { action: "unchanged", object, ...extra };
}

/** A dropped namespace: released (its data stays), and the platform's objects there deleted. */
async function releaseChanges(
  kube: Kube,
  release: NamespaceRelease,
  drain: boolean,
): Promise<ObjectChange[]> {
  const steps = drain ? "frozen, its admins unbound, its pods evicted" : "frozen, its admins unbound";
  const changes: ObjectChange[] = [
    {
      action: "release",
      object: refOf(release.freeze),
      note: `${steps}, then it loses the label ${TENANT_LABEL}; it is not deleted, its data stays`,
    },
  ];
  for (const obj of [release.admins, ...release.confinement])
    if (await readIfExists(kube, obj)) changes.push({ action: "delete", object: refOf(obj) });
  return changes;
}

/**
 * The request as provision-tenant would take it: the same refusals (ownership when `source` is given, order,
 * classes, namespaces, releases with pods) and the same plan, each object applied with `dryRun=All` under its field
 * manager (as `kubes.dryRun`), so the apiserver's defaulting, validation, admission and field ownership all
 * answer. Nothing is written.
 */
/** The request's CloudEvent attributes, when the file held one (`source` may also come from --source). */
export type DiffOptions = ProvisionTenantOptions & { source?: string; id?: string; time?: string };

export async function diffRequest(
  kubes: DiffKubes,
  request: TenantRequest,
  options: DiffOptions,
): Promise<TenantDiff> {
  const { tenant } = request;
  const kube = kubes.read;
  const refusals: Refusal[] = [];
  const record = await readTenantRecord(kube, tenant);
  try {
    checkOrder(record, request, options);
  } catch (err) {
    refusals.push(refusalOf(err));
  }
  const fallback = {
    allowed: request.runtimeClasses?.allowed ?? [],
    default: request.runtimeClasses?.default ?? "",
  };
  const { classes, kataClasses } = await runtimeClassesFor(kube, request, options).catch((err: unknown) => {
    refusals.push(refusalOf(err));
    return { classes: fallback, kataClasses: [] };
  });
  const existing = await existingNamespaces(kube, request, refusals);
  const releases = releasePlan(request, await tenantNamespacesOf(kube, tenant));
  const drain = request.release === "drain";
  await checkReleasable(kube, releases, drain).catch((err: unknown) => refusals.push(refusalOf(err)));
  const tenantPlan = plan(
    request,
    classes,
    { identities: options.platformIdentities, kataClasses },
    carried(record),
  );
  // The platform-wide policies are the platform's, not the tenant's: the tenant's own objects carry its label.
  const planned = [
    ...tenantPlan.cluster.filter((obj) => obj.metadata?.labels?.[TENANT_LABEL] === tenant),
    ...tenantPlan.namespaces.flatMap((ns) => [...ns.confine, ns.admins]),
  ];
  const changes: ObjectChange[] = [];
  for (const obj of planned)
    changes.push(
      await diffObject(kubes, obj, existing, tenant).catch((err: unknown) => {
        refusals.push(refusalOf(err));
        return { action: "refused" as const, object: refOf(obj) };
      }),
    );
  for (const release of releases) changes.push(...(await releaseChanges(kube, release, drain)));
  return { tenant, exists: record !== undefined, changes, refusals };
}
