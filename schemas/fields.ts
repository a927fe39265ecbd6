// Bounded building blocks shared by the event schemas, so that no field of a hostile payload can be huge.
import { z } from "zod";

export const MAX_REASON_LENGTH = 2048;
export const MAX_LIST_LENGTH = 64;

// Control characters have no business in names and identifiers; they mostly serve to forge log lines.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NO_CONTROL_CHARACTERS = /^[^\u0000-\u001f\u007f]*$/;

// Kubernetes resource quantities (apimachinery's grammar) minus the sign: a negative quota means nothing.
const QUANTITY = /^([0-9]+(\.[0-9]*)?|\.[0-9]+)([KMGTPE]i|[numkMGTPE]|[eE][-+]?[0-9]+)?$/;

/** A present, string-typed field: a missing field says "required" instead of zod's "expected string". */
export function requiredString(what: string): z.ZodString {
  return z.string({
    error: (issue) => (issue.input === undefined ? `${what} is required` : `${what} must be a string`),
  });
}

/** Free text of bounded length, such as a reason or a detector's name. */
export function text(what: string, maxLength: number): z.ZodString {
  return requiredString(what)
    .min(1, `${what} must not be empty`)
    .max(maxLength, { error: `${what} must be at most ${maxLength} characters`, abort: true });
}

/** Bounded text that also refuses control characters: identifiers that end up in logs and objects. */
export function identifier(what: string, maxLength: number): z.ZodString {
  return text(what, maxLength).regex(NO_CONTROL_CHARACTERS, `${what} must not contain control characters`);
}

/**
 * An object that rejects unknown fields and says which fields it allows: a misspelt field
 * (`namspaces`) must fail loudly rather than be ignored and silently change the outcome.
 */
export function strictObject<S extends z.ZodRawShape>(shape: S): z.ZodObject<S, z.core.$strict> {
  const allowed = Object.keys(shape).join(", ");
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `unknown field(s) ${issue.keys.map((key) => JSON.stringify(key)).join(", ")}; allowed: ${allowed}`
        : issue.code === "invalid_type" && issue.input !== undefined
          ? `must be a JSON object with the fields ${allowed}`
          : undefined,
  });
}

/** A bounded list; `what` names the list in messages. */
export function list<T extends z.ZodType>(what: string, item: T, min = 0): z.ZodArray<T> {
  return z
    .array(item, { error: `${what} must be a list` })
    .min(min, `${what} must have at least ${min} entr${min === 1 ? "y" : "ies"}`)
    .max(MAX_LIST_LENGTH, { error: `${what} may have at most ${MAX_LIST_LENGTH} entries`, abort: true });
}

/** A resource amount such as `500m` CPU or `4Gi` of memory. */
export function quantity(what: string): z.ZodString {
  return requiredString(what)
    .max(32, { error: `${what} must be at most 32 characters`, abort: true })
    .regex(QUANTITY, `${what} must be a non-negative Kubernetes quantity such as 500m, 2, 1.5, 4Gi or 512M`);
}

/** The ticket a request came from, echoed in every result so ticketing integrations can close the loop. */
export const ticketSchema = strictObject({
  system: identifier("ticket.system", 64).describe("Ticketing system, e.g. jira or servicenow"),
  id: identifier("ticket.id", 256).describe("The ticket's id in that system"),
}).describe("The ticket this request came from; results carry it back");

/** Kubernetes object UIDs are UUIDs in practice; the bound alone keeps the contract loose enough. */
export const uidSchema = identifier("uid", 128).describe(
  "Kubernetes UID of the object; tells a recreated object of the same name apart",
);

export const reasonSchema = text("reason", MAX_REASON_LENGTH).describe("Why, in words for people");
