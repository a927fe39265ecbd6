// Data of the node events: a node joined, and whether label-kata-node found it able to run Kata.
import { list, reasonSchema, strictObject, ticketSchema, uidSchema } from "./fields.ts";
import { dns1123Subdomain } from "./names.ts";

const nodeName = dns1123Subdomain("node").describe("Node name");

export const nodeJoinedSchema = strictObject({
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
