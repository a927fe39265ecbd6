// Data of the pod events: a pod reported unsafe, and what quarantine-runc-pod did about it.
import { z } from "zod";
import { identifier, reasonSchema, strictObject, ticketSchema, uidSchema } from "./fields.ts";
import { dns1123Label, dns1123Subdomain } from "./names.ts";

export const QUARANTINE_ACTIONS = ["isolate", "evict", "delete"] as const;
export type QuarantineAction = (typeof QUARANTINE_ACTIONS)[number];

// Any namespace may be reported; whether it is a tenant's is the function's call, not the schema's.
const namespaceName = dns1123Label("namespace").describe("Namespace of the pod");
const podName = dns1123Subdomain("pod").describe("Pod name");

export const podUnsafeSchema = strictObject({
  namespace: namespaceName,
  pod: podName,
  uid: uidSchema.optional(),
  reason: reasonSchema.optional(),
  detector: identifier("detector", 253).describe("Who reported the pod").optional(),
});

export const podQuarantinedSchema = strictObject({
  namespace: namespaceName,
  pod: podName,
  uid: uidSchema.optional(),
  action: z
    .enum(QUARANTINE_ACTIONS, { error: `action must be one of ${QUARANTINE_ACTIONS.join(", ")}` })
    .describe("isolate leaves the pod running behind a deny-all NetworkPolicy; evict and delete remove it"),
  dryRun: z.boolean({ error: "dryRun must be true or false" }).describe("True when nothing was changed"),
  networkPolicy: dns1123Subdomain("networkPolicy").describe("The NetworkPolicy that isolates the pod"),
  ticket: ticketSchema.optional(),
});

export const podClearedSchema = strictObject({
  namespace: namespaceName,
  pod: podName,
  uid: uidSchema.optional(),
  reason: reasonSchema,
  ticket: ticketSchema.optional(),
});
