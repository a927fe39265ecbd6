// Data of the node events: a node joined, whether label-kata-node found it able to run Kata, and whether Kata got installed.
import { z } from "zod";
import { list, reasonSchema, strictObject, ticketSchema, uidSchema } from "./fields.ts";
import { dns1123Subdomain } from "./names.ts";

const nodeName = dns1123Subdomain("node").describe("Node name");

/** A node, by name and (when the producer knows it) uid: node.joined, and the node watcher's Kata hints. */
export const nodeRefSchema = strictObject({
  node: nodeName,
  uid: uidSchema.optional(),
});

// Both outcomes carry the same facts; only the event type tells them apart.
export const nodeKataResultSchema = strictObject({
  node: nodeName,
  reason: reasonSchema,
  runtimeClasses: list("runtimeClasses", dns1123Subdomain("runtime class"))
    .describe("Kata RuntimeClasses ensured for the node")
    .optional(),
  ticket: ticketSchema.optional(),
});

export const nodeKataFailedSchema = strictObject({
  node: nodeName,
  reason: reasonSchema,
  taintedAt: z.iso
    .datetime({ offset: true, error: "taintedAt must be an ISO 8601 date-time" })
    .describe("When label-kata-node put the startup taint on the node"),
  ticket: ticketSchema.optional(),
});
