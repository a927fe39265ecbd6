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
}).describe("ResourceQuota of each tenant namespace");

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
  ticket: ticketSchema.optional(),
}).superRefine((request, ctx) => {
  for (const issue of tenantScopeIssues(request.tenant, request.namespaces ?? [], request.admins)) {
    ctx.addIssue({ code: "custom", input: request, ...issue });
  }
});

// An applied object as "Kind/name" or "Kind/namespace/name", e.g. "ResourceQuota/acme/tenant-quota".
const APPLIED_OBJECT = /^[A-Z][A-Za-z0-9]*(\/[a-z0-9][-a-z0-9.:]*){1,2}$/;

export const tenantProvisionedSchema = strictObject({
  tenant: tenantNameSchema,
  namespaces: list("namespaces", unreservedLabel("namespace"), 1).describe("All of the tenant's namespaces"),
  applied: z
    .array(
      identifier("applied object", 512).regex(
        APPLIED_OBJECT,
        'an applied object must read "Kind/name" or "Kind/namespace/name", e.g. "Namespace/acme"',
      ),
      { error: "applied must be a list" },
    )
    .max(1024, { error: "applied may have at most 1024 entries", abort: true })
    .describe('Objects applied, as "Kind/name" or "Kind/namespace/name"'),
  ticket: ticketSchema.optional(),
});

export const tenantRejectedSchema = strictObject({
  // A plain string: the tenant name may be the very thing that was invalid.
  tenant: identifier("tenant", 256).describe("The tenant as requested, possibly invalid").optional(),
  reason: reasonSchema,
  code: identifier("code", 64).describe("Stable error code, for programs"),
  ticket: ticketSchema.optional(),
});
