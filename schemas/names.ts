// Naming rules for tenants, their namespaces and their admins: what Kubernetes accepts, minus what the platform owns.
import { z } from "zod";
import { identifier, requiredString, strictObject } from "./fields.ts";
import { PLATFORM_INSTALL_NAMESPACES } from "./platform-namespaces.generated.ts";

export const DNS1123_LABEL_MAX_LENGTH = 63;
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;
/** The platform's own namespace: its functions, policy parameters and secrets live there. */
export const PLATFORM_NAMESPACE = "icn-system";

/** On a namespace: the tenant it belongs to. Only the platform writes it. */
export const TENANT_LABEL = "icn.akraino.org/tenant";
/** On a namespace: a cluster operator approves its adoption by this tenant (tenants cannot label namespaces). */
export const ADOPT_LABEL = "icn.akraino.org/adopt";
/**
 * On a namespace: the tenant it was released from (dropped from the tenant's request). While it is there, no pod may be
 * created or changed in the namespace except by the platform; a cluster operator removes it after reviewing the namespace.
 */
export const RELEASED_LABEL = "icn.akraino.org/released-from";
/** On a node: label-kata-node's decision, enabled or unsupported (the label kata-deploy's DaemonSet selects). */
export const KATA_LABEL = "icn.akraino.org/kata";
/** On a node: kata-deploy's, `true` once Kata is installed there (the RuntimeClasses schedule onto it). Never ours to write. */
export const KATA_RUNTIME_LABEL = "katacontainers.io/kata-runtime";
/**
 * The startup taint (effect NoSchedule) label-kata-node puts on a capable node until kata-deploy's label says
 * Kata is installed: nothing is scheduled there meanwhile. untaint-kata-node removes it.
 */
export const KATA_NOT_READY_TAINT = "icn.akraino.org/kata-not-ready";
/** On a node: when the startup taint was put there (ISO 8601); the apiserver stamps only NoExecute taints. */
export const KATA_TAINTED_AT_ANNOTATION = "icn.akraino.org/kata-tainted-at";
/** On a pod: quarantined, its traffic denied. Only the platform's identities may set, change or remove it. */
export const QUARANTINE_LABEL = "icn.akraino.org/quarantine";

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_RULE =
  "a DNS-1123 label: lowercase ASCII letters a-z, digits 0-9 and '-', starting and ending with a letter or digit";
const SUBDOMAIN_RULE =
  "a DNS-1123 subdomain: dot-separated lowercase ASCII labels (a-z, 0-9, '-'), each starting and ending with a letter or digit";

// Namespaces that Kubernetes, OpenShift and this platform create for themselves: a tenant that
// owned one would be handed the control plane (or the bus's Secrets), so they never become tenants
// or tenant namespaces. The platform's own come from its manifests under deploy/, not typed again here.
const RESERVED_NAMES: readonly string[] = [
  ...new Set(["kube", "default", "openshift", PLATFORM_NAMESPACE, ...PLATFORM_INSTALL_NAMESPACES]),
];
const RESERVED_PREFIXES: readonly string[] = ["kube-", "openshift-"];
const RESERVED_RULE = `names reserved for the platform are kube-*, openshift-* and ${RESERVED_NAMES.join(", ")}`;

export const ADMIN_KINDS = ["User", "Group", "ServiceAccount"] as const;
export type AdminKind = (typeof ADMIN_KINDS)[number];

export function isDns1123Label(name: string): boolean {
  return name.length <= DNS1123_LABEL_MAX_LENGTH && DNS1123_LABEL.test(name);
}

export function isDns1123Subdomain(name: string): boolean {
  return name.length <= DNS1123_SUBDOMAIN_MAX_LENGTH && DNS1123_SUBDOMAIN.test(name);
}

export function isReservedName(name: string): boolean {
  return RESERVED_NAMES.includes(name) || RESERVED_PREFIXES.some((prefix) => name.startsWith(prefix));
}

/** A tenant owns the namespace named after it and every `<tenant>-<suffix>`. */
export function isTenantNamespace(namespace: string, tenant: string): boolean {
  return namespace === tenant || (namespace.startsWith(`${tenant}-`) && namespace.length > tenant.length + 1);
}

/**
 * Kubernetes' own identities (`system:authenticated`, `system:masters`, `system:serviceaccount:<ns>:<name>`...).
 * Binding `system:authenticated` would hand every user of the cluster the tenant, and a
 * `system:serviceaccount:...` user would smuggle in a service account from any namespace.
 */
export function isSystemIdentity(name: string): boolean {
  return name.startsWith("system:");
}

/** The tenant's namespaces, its own first, without duplicates. */
export function tenantNamespaces(tenant: string, extra: readonly string[] = []): string[] {
  return [...new Set([tenant, ...extra])];
}

export function dns1123Label(what: string): z.ZodString {
  return requiredString(what)
    .min(1, `${what} must not be empty; it must be ${LABEL_RULE}`)
    .max(DNS1123_LABEL_MAX_LENGTH, {
      error: `${what} must be at most ${DNS1123_LABEL_MAX_LENGTH} characters (${LABEL_RULE})`,
      abort: true,
    })
    .regex(DNS1123_LABEL, `${what} must be ${LABEL_RULE}`);
}

export function dns1123Subdomain(what: string): z.ZodString {
  return requiredString(what)
    .min(1, `${what} must not be empty; it must be ${SUBDOMAIN_RULE}`)
    .max(DNS1123_SUBDOMAIN_MAX_LENGTH, {
      error: `${what} must be at most ${DNS1123_SUBDOMAIN_MAX_LENGTH} characters (${SUBDOMAIN_RULE})`,
      abort: true,
    })
    .regex(DNS1123_SUBDOMAIN, `${what} must be ${SUBDOMAIN_RULE}`);
}

/** A DNS-1123 label that is not reserved: a tenant's name, or the name of one of its namespaces. */
export function unreservedLabel(what: string): z.ZodString {
  return dns1123Label(what).refine((name) => !isReservedName(name), {
    error: (issue) => `${what} ${JSON.stringify(issue.input)} is reserved (${RESERVED_RULE}); choose another`,
  });
}

export const tenantNameSchema = unreservedLabel("tenant").describe(
  "Tenant name: a DNS-1123 label, not reserved; also the name of the tenant's first namespace",
);

const subjectName = identifier("admin name", DNS1123_SUBDOMAIN_MAX_LENGTH).refine(
  (name) => !isSystemIdentity(name),
  {
    error: (issue) =>
      `admin ${JSON.stringify(issue.input)} is one of Kubernetes' own identities (system:*), which a tenant may not be given; name a real user or group`,
  },
);

// Users and Groups are cluster-wide: a namespace there is a mistake worth its own message.
const userOrGroupAdmin = z.strictObject(
  { kind: z.enum(["User", "Group"]), name: subjectName },
  {
    error: (issue) => {
      if (issue.code !== "unrecognized_keys") return undefined;
      return issue.keys.includes("namespace")
        ? "only ServiceAccount admins have a namespace; a User or Group admin has just kind and name"
        : `unknown field(s) ${issue.keys.map((key) => JSON.stringify(key)).join(", ")}; allowed: kind, name`;
    },
  },
);

const serviceAccountAdmin = strictObject({
  kind: z.literal("ServiceAccount"),
  name: dns1123Subdomain("service account name"),
  namespace: unreservedLabel("service account namespace").describe("One of the tenant's namespaces"),
});

export const adminSchema = z
  .discriminatedUnion("kind", [userOrGroupAdmin, serviceAccountAdmin], {
    error: (issue) =>
      issue.code === "invalid_union" ? `admin kind must be one of ${ADMIN_KINDS.join(", ")}` : undefined,
  })
  .describe("Bound to the admin ClusterRole in every tenant namespace");
export type Admin = z.infer<typeof adminSchema>;

export type NameIssue = { path: (string | number)[]; message: string };

/**
 * Rules that span fields of a tenant request: extra namespaces must carry the tenant's name,
 * and a service-account admin must live in one of the tenant's namespaces (else a tenant could
 * grant its namespaces to a workload of another tenant or of the platform).
 */
export function tenantScopeIssues(
  tenant: string,
  namespaces: readonly string[],
  admins: readonly Admin[],
): NameIssue[] {
  const issues: NameIssue[] = [];
  namespaces.forEach((namespace, index) => {
    if (!isTenantNamespace(namespace, tenant)) {
      issues.push({
        path: ["namespaces", index],
        message: `namespace ${JSON.stringify(namespace)} is not tenant ${JSON.stringify(tenant)}'s: it must be "${tenant}" or start with "${tenant}-"`,
      });
    }
  });
  const owned = tenantNamespaces(tenant, namespaces);
  admins.forEach((admin, index) => {
    if (admin.kind === "ServiceAccount" && !owned.includes(admin.namespace)) {
      issues.push({
        path: ["admins", index, "namespace"],
        message: `service account ${admin.namespace}/${admin.name} is outside the tenant; its namespace must be one of ${owned.join(", ")}`,
      });
    }
  });
  return issues;
}
