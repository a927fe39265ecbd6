// Every event of the contract: its CloudEvents type and the zod schema of its data (strict, bounded).
import { z } from "zod";
import { identifier, list, quantitySchema, reasonSchema, strictObject, ticketSchema, uidSchema } from "./fields.ts";
import { adminSchema, dns1123Label, dns1123Subdomain, tenantNameSchema, tenantScopeIssues, unreservedLabel } from "./names.ts";

const TYPE_PREFIX = "org.akraino.icn.";
const runtimeClassName = dns1123Subdomain("runtime class");

const tenantRequested = strictObject({
  tenant: tenantNameSchema,
  admins: list("admins", adminSchema, 1),
  namespaces: list("namespaces", unreservedLabel("namespace")).optional(),
  quota: strictObject({
    cpu: quantitySchema.optional(),
    memory: quantitySchema.optional(),
    pods: z.number().int().min(0).max(100_000).optional(),
  }).optional(),
  runtimeClasses: strictObject({ allowed: list("runtimeClasses.allowed", runtimeClassName, 1), default: runtimeClassName })
    .refine((rc) => rc.allowed.includes(rc.default), { error: "runtimeClasses.default must be one of runtimeClasses.allowed", path: ["default"] })
    .optional(),
  ticket: ticketSchema.optional(),
}).superRefine((request, ctx) => {
  for (const issue of tenantScopeIssues(request.tenant, request.namespaces ?? [], request.admins)) ctx.addIssue({ code: "custom", ...issue });
});

const nodeName = dns1123Subdomain("node");
const podRef = { namespace: dns1123Label("namespace"), pod: dns1123Subdomain("pod"), uid: uidSchema.optional() };
const ticket = { ticket: ticketSchema.optional() };
const nodeResult = strictObject({ node: nodeName, reason: reasonSchema, runtimeClasses: list("runtimeClasses", runtimeClassName).optional(), ...ticket });

export const EVENTS = {
  "tenant.requested": { type: `${TYPE_PREFIX}tenant.requested`, data: tenantRequested, description: "A tenant is asked for (portal, ticketing ingress)" },
  "node.joined": { type: `${TYPE_PREFIX}node.joined`, data: strictObject({ node: nodeName, uid: uidSchema.optional() }), description: "A node joined the cluster (provisioner, node watcher)" },
  "pod.unsafe": {
    type: `${TYPE_PREFIX}pod.unsafe`,
    data: strictObject({ ...podRef, reason: reasonSchema.optional(), detector: identifier("detector", 128).optional() }),
    description: "A pod may run outside Kata (detector, pod watcher)",
  },
  "tenant.provisioned": {
    type: `${TYPE_PREFIX}tenant.provisioned`,
    data: strictObject({ tenant: tenantNameSchema, namespaces: list("namespaces", dns1123Label("namespace")), applied: z.array(identifier("applied", 512)).max(1024), ...ticket }),
    description: "A tenant's namespaces and policies are in place",
  },
  "tenant.rejected": {
    type: `${TYPE_PREFIX}tenant.rejected`,
    // The request's tenant may itself be what was wrong, so it is plain bounded text here.
    data: strictObject({ tenant: identifier("tenant", 253).optional(), reason: reasonSchema, code: identifier("code", 64), ...ticket }),
    description: "A tenant request was refused, with the reason",
  },
  "node.kata-enabled": { type: `${TYPE_PREFIX}node.kata-enabled`, data: nodeResult, description: "A node can run Kata and is labelled for kata-deploy" },
  "node.kata-unsupported": { type: `${TYPE_PREFIX}node.kata-unsupported`, data: nodeResult, description: "A node cannot run Kata" },
  "pod.quarantined": {
    type: `${TYPE_PREFIX}pod.quarantined`,
    data: strictObject({ ...podRef, action: z.enum(["isolate", "evict", "delete"]), dryRun: z.boolean(), networkPolicy: dns1123Subdomain("networkPolicy"), ...ticket }),
    description: "A pod running outside Kata was isolated (and evicted or deleted, by policy)",
  },
  "pod.cleared": { type: `${TYPE_PREFIX}pod.cleared`, data: strictObject({ ...podRef, reason: reasonSchema, ...ticket }), description: "A reported pod needs no quarantine" },
} as const;

export type EventName = keyof typeof EVENTS;
export type EventData<N extends EventName> = z.infer<(typeof EVENTS)[N]["data"]>;
export const EVENT_NAMES = Object.keys(EVENTS) as EventName[];
export const INPUT_EVENTS: readonly EventName[] = ["tenant.requested", "node.joined", "pod.unsafe"];

export function eventType(name: EventName): string {
  return EVENTS[name].type;
}

export function eventNameOfType(type: string): EventName | undefined {
  return EVENT_NAMES.find((name) => EVENTS[name].type === type);
}

export function subjectOf(prefix: string, name: EventName): string {
  return `${prefix}.${name}`;
}

export function parseEventData<N extends EventName>(name: N, data: unknown): z.ZodSafeParseResult<EventData<N>> {
  return (EVENTS[name].data as unknown as z.ZodType<EventData<N>>).safeParse(data);
}
