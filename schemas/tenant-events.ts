// Data of the tenant events: the request a portal or ticket submits, and what provision-tenant answers.
import { z } from "zod";
import { identifier, list, quantity, reasonSchema, strictObject, ticketSchema } from "./fields.ts";
import {
  adminSchema,
  dns1123Subdomain,
  tenantNameSchema,
  tenantScopeIssues,
  unreservedLabel,
} from "./names.ts";

const quotaSchema = strictObject({
  cpu: quantity("quota.cpu").describe("CPU, e.g. 500m or 8").optional(),
  memory: quantity("quota.memory").describe("Memory, e.g. 512Mi or 16Gi").optional(),
  pods: z.int("pods must be a whole number").min(0, "pods must not be negative").optional(),
  storage: quantity("quota.storage")
    .describe("Storage all PersistentVolumeClaims may request, e.g. 100Gi; no limit when left out")
    .optional(),
}).describe(
  "ResourceQuota of each tenant namespace; cpu, memory and pods have defaults (8, 16Gi, 50), storage has none. A field left out of a later request goes back to its default, or away",
);

/** What a re-request does with a namespace it no longer names. */
export const RELEASE_MODES = ["if-empty", "drain"] as const;

const runtimeClassName = dns1123Subdomain("runtime class");

const runtimeClassesSchema = strictObject({
  allowed: list("runtimeClasses.allowed", runtimeClassName, 1).describe(
    "Kata RuntimeClasses the tenant's pods may use",
  ),
  default: runtimeClassName.describe("Set on pods that name no class; must be one of allowed"),
})
  .refine((classes) => classes.allowed.includes(classes.default), {
    path: ["default"],
    error: (issue) => {
      const { allowed, default: chosen } = issue.input as { allowed: string[]; default: string };
      return `default runtime class ${JSON.stringify(chosen)} is not in allowed (${allowed.join(", ")}); add it there or pick one of them`;
    },
  })
  .describe("The tenant's Kata RuntimeClasses");

export const tenantRequestedSchema = strictObject({
  tenant: tenantNameSchema,
  admins: list("admins", adminSchema, 1),
  namespaces: list("namespaces", unreservedLabel("namespace"))
    .describe('Extra namespaces, each "<tenant>" or "<tenant>-<suffix>"')
    .optional(),
  quota: quotaSchema.optional(),
  runtimeClasses: runtimeClassesSchema.optional(),
  release: z
    .enum(RELEASE_MODES, { error: `release must be one of ${RELEASE_MODES.join(", ")}` })
    .describe(
      "A request is the whole tenant: a namespace the tenant has and this request no longer names is released " +
        "(kept, not deleted: it loses the tenant's label, admins' binding, quota, limits and isolation policy, and no pod may be " +
        "created in it until a cluster operator lifts icn.akraino.org/released-from). if-empty (the default): refused while " +
        "pods run there, nothing changed. drain: its pods are evicted first (through the Eviction API, so disruption budgets hold)",
    )
    .optional(),
  protection: strictObject({
    deletion: z
      .boolean({ error: "protection.deletion must be true or false" })
      .describe(
        "true: tenant.retire-requested is refused (DELETION_PROTECTED) and nothing is changed; send the request again without it to allow a retire",
      )
      .optional(),
  })
    .describe("Guards against removing the tenant by mistake; a later request that leaves it out lifts it")
    .optional(),
  ticket: ticketSchema.optional(),
}).superRefine((request, ctx) => {
  for (const issue of tenantScopeIssues(request.tenant, request.namespaces ?? [], request.admins)) {
    ctx.addIssue({ code: "custom", input: request, ...issue });
  }
});

// An applied object as "Kind/name" or "Kind/namespace/name", e.g. "ResourceQuota/acme/tenant-quota".
const APPLIED_OBJECT = /^[A-Z][A-Za-z0-9]*(\/[a-z0-9][-a-z0-9.:]*){1,2}$/;

const objectRefs = (what: string): z.ZodArray<z.ZodString> =>
  z
    .array(
      identifier(`${what} object`, 512).regex(
        APPLIED_OBJECT,
        `a ${what} object must read "Kind/name" or "Kind/namespace/name", e.g. "Namespace/acme"`,
      ),
      { error: `${what} must be a list` },
    )
    .max(1024, { error: `${what} may have at most 1024 entries`, abort: true });

export const tenantProvisionedSchema = strictObject({
  tenant: tenantNameSchema,
  namespaces: list("namespaces", unreservedLabel("namespace"), 1).describe("All of the tenant's namespaces"),
  applied: objectRefs("applied").describe('Objects applied, as "Kind/name" or "Kind/namespace/name"'),
  removed: objectRefs("removed")
    .describe(
      "Objects the platform had applied for the tenant and this request no longer implies, now deleted",
    )
    .optional(),
  released: list("released", unreservedLabel("namespace"))
    .describe(
      "Namespaces dropped from the request: kept, no longer the tenant's, no new pods until an operator lifts that",
    )
    .optional(),
  evicted: objectRefs("evicted")
    .describe('Pods evicted from released namespaces (release: drain), as "Pod/namespace/name"')
    .optional(),
  ticket: ticketSchema.optional(),
});

export const tenantRejectedSchema = strictObject({
  // A plain string: the tenant name may be the very thing that was invalid.
  tenant: identifier("tenant", 256).describe("The tenant as requested, possibly invalid").optional(),
  reason: reasonSchema,
  code: identifier("code", 64).describe("Stable error code, for programs"),
  ticket: ticketSchema.optional(),
});

const cordonReason = identifier("reason", 512).describe(
  "Why, in words for the tenant's admins: the apiserver's refusal of their pods quotes it",
);

export const tenantCordonRequestedSchema = strictObject({
  tenant: tenantNameSchema,
  reason: cordonReason,
  ticket: ticketSchema.optional(),
});

export const tenantUncordonRequestedSchema = strictObject({
  tenant: tenantNameSchema,
  reason: cordonReason.optional(),
  ticket: ticketSchema.optional(),
});

const tenantNamespacesList = list("namespaces", unreservedLabel("namespace")).describe(
  "The tenant's namespaces, where the apiserver now enforces it",
);

export const tenantCordonedSchema = strictObject({
  tenant: tenantNameSchema,
  namespaces: tenantNamespacesList,
  reason: cordonReason,
  ticket: ticketSchema.optional(),
});

export const tenantUncordonedSchema = strictObject({
  tenant: tenantNameSchema,
  namespaces: tenantNamespacesList,
  ticket: ticketSchema.optional(),
});

/** What a retire may keep instead of deleting: the namespaces, released (no longer the tenant's, frozen). */
export const RETIRE_KEEP = ["namespaces"] as const;
export const MAX_EVICTION_DEADLINE_SECONDS = 600;

export const tenantRetireRequestedSchema = strictObject({
  tenant: tenantNameSchema,
  keep: z
    .enum(RETIRE_KEEP, { error: `keep must be one of ${RETIRE_KEEP.join(", ")}` })
    .describe(
      "namespaces: the tenant's namespaces are kept, released (its label, admins' binding, quota, limits and isolation policy go; no pod may start there until a cluster operator lifts icn.akraino.org/released-from) instead of deleted",
    )
    .optional(),
  dryRun: z
    .boolean({ error: "dryRun must be true or false" })
    .describe("true: tenant.retired lists everything that would be removed and kept; nothing is changed")
    .optional(),
  evictionDeadlineSeconds: z
    .int("evictionDeadlineSeconds must be a whole number")
    .min(0, "evictionDeadlineSeconds must not be negative")
    .max(MAX_EVICTION_DEADLINE_SECONDS, {
      error: `evictionDeadlineSeconds must be at most ${MAX_EVICTION_DEADLINE_SECONDS}`,
      abort: true,
    })
    .describe(
      "How long the tenant's pods are evicted (the Eviction API: PodDisruptionBudgets hold) before those left are deleted; counted from the retire's first attempt; 30 when left out",
    )
    .optional(),
  reason: identifier("reason", 512)
    .describe("Why, in words for the tenant's admins: the apiserver's refusal of their pods quotes it")
    .optional(),
  ticket: ticketSchema.optional(),
});

export const tenantRetiredSchema = strictObject({
  tenant: tenantNameSchema,
  dryRun: z.boolean().describe("true: nothing was changed; the lists say what a retire would do"),
  namespaces: list("namespaces", unreservedLabel("namespace")).describe(
    "The tenant's namespaces when the retire began",
  ),
  removed: objectRefs("removed").describe(
    'Objects deleted (or that would be): namespaces (with everything in them), bindings, the tenant\'s state and parameters, as "Kind/name" or "Kind/namespace/name"',
  ),
  kept: objectRefs("kept").describe(
    "Objects kept: released namespaces (keep: namespaces) and the tenant's record, which keeps the retire's place in time so that no older request brings the tenant back",
  ),
  evicted: objectRefs("evicted")
    .describe('Pods evicted through the Eviction API, as "Pod/namespace/name"')
    .optional(),
  deletedPods: objectRefs("deletedPods")
    .describe("Pods still there at the eviction deadline, then deleted")
    .optional(),
  ticket: ticketSchema.optional(),
});
