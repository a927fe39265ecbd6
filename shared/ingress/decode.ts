// The CloudEvents HTTP binding, read strictly: which mode a request is in, and its events' raw attributes and data.
import type { IncomingMessage } from "node:http";
import { Mode } from "cloudevents";
import { isBindingError } from "../cloudevents/binding-error.ts";
import { isJsonContentType, mediaType } from "../cloudevents/event-data.ts";
import { percentDecode } from "../cloudevents/percent.ts";

export const STRUCTURED_TYPE = "application/cloudevents+json";
export const BATCH_TYPE = "application/cloudevents-batch+json";
/** A batch is published all or nothing; a bound keeps one request's work (and its answer) small. */
export const MAX_BATCH = 100;

export interface Issue {
  /** Where: a header (`ce-id`), an attribute (`source`), a data field (`data.admins.0.name`); `[i].` in a batch. */
  path: string;
  message: string;
}

/** One event as it arrived, before validation: attributes by name, and its data. */
export interface Candidate {
  attributes: Map<string, unknown>;
  data: unknown;
  issues: Issue[];
  /** How to name an attribute in an issue: the header in binary mode, the member in structured mode. */
  where: (attribute: string) => string;
  /** Where the data sits, for the data's own issues: `data`, or `[i].data` in a batch. */
  dataPath: string;
}

export type Decoded = { ok: true; mode: Mode; candidates: Candidate[] } | { ok: false; issues: Issue[] };

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Undefined when the Content-Type is none of the binding's modes (415). */
export function modeOf(req: IncomingMessage): Mode | undefined {
  const type = mediaType(req.headers["content-type"]);
  if (type === BATCH_TYPE) return Mode.BATCH;
  if (type === STRUCTURED_TYPE) return Mode.STRUCTURED;
  // Another event format (XML, Avro…) in structured mode is a media type we do not read.
  if (type?.startsWith("application/cloudevents")) return undefined;
  // Every input event's data is a JSON object, so binary mode needs a JSON body.
  const hasCeHeaders = Object.keys(req.headers).some((name) => name.startsWith("ce-"));
  return (hasCeHeaders || type !== undefined) && isJsonContentType(type) ? Mode.BINARY : undefined;
}

function parseJson(body: Buffer, path: string): { value?: unknown; issue?: Issue } {
  try {
    return { value: JSON.parse(strictUtf8.decode(body)) as unknown };
  } catch (err) {
    return { issue: { path, message: `not UTF-8 JSON: ${messageOf(err)}` } };
  }
}

function headerAttributes(req: IncomingMessage, issues: Issue[]): Map<string, unknown> {
  const attributes = new Map<string, unknown>();
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    if (!name.startsWith("ce-") || !values) continue;
    if (values.length > 1) issues.push({ path: name, message: "the header appears more than once" });
    else if (name === "ce-datacontenttype")
      issues.push({ path: name, message: "HTTP binary mode carries datacontenttype as Content-Type" });
    else attributes.set(name.slice(3), decodeHeader(name, values[0] ?? "", issues));
  }
  const contentType = req.headers["content-type"];
  if (contentType !== undefined) attributes.set("datacontenttype", contentType);
  return attributes;
}

function decodeHeader(name: string, value: string, issues: Issue[]): string | undefined {
  try {
    return percentDecode(value, name);
  } catch (err) {
    issues.push({ path: name, message: isBindingError(err) ? err.message : messageOf(err) });
    return undefined;
  }
}

function binary(req: IncomingMessage, body: Buffer): Candidate {
  const issues: Issue[] = [];
  const attributes = headerAttributes(req, issues);
  const parsed = body.byteLength ? parseJson(body, "data") : {};
  if (parsed.issue) issues.push(parsed.issue);
  return {
    attributes,
    data: parsed.value,
    issues,
    where: (attribute) => `ce-${attribute}`,
    dataPath: "data",
  };
}

/** JSON event format: members are attributes (null means unset), except `data` and `data_base64`. */
function fromDocument(document: unknown, prefix: string): Candidate {
  const where = (attribute: string): string => `${prefix}${attribute}`;
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    const issues = [
      { path: prefix.replace(/\.$/, "") || "event", message: "an event must be a JSON object" },
    ];
    return { attributes: new Map(), data: undefined, issues, where, dataPath: where("data") };
  }
  const members = Object.entries(document as Record<string, unknown>);
  const attributes = new Map(members.filter(([k, v]) => v !== null && k !== "data" && k !== "data_base64"));
  const issues: Issue[] = [];
  if (Object.hasOwn(document, "data_base64"))
    issues.push({
      path: where("data_base64"),
      message: "binary data is not accepted; events carry JSON data",
    });
  return { attributes, data: (document as { data?: unknown }).data, issues, where, dataPath: where("data") };
}

function batch(body: Buffer): Decoded {
  const parsed = parseJson(body, "batch");
  if (parsed.issue) return { ok: false, issues: [parsed.issue] };
  if (!Array.isArray(parsed.value))
    return { ok: false, issues: [{ path: "batch", message: "must be a JSON array" }] };
  if (parsed.value.length === 0)
    return { ok: false, issues: [{ path: "batch", message: "holds no events" }] };
  if (parsed.value.length > MAX_BATCH)
    return {
      ok: false,
      issues: [{ path: "batch", message: `holds ${parsed.value.length} events; at most ${MAX_BATCH}` }],
    };
  return {
    ok: true,
    mode: Mode.BATCH,
    candidates: parsed.value.map((doc, i) => fromDocument(doc, `[${i}].`)),
  };
}

export function decodeRequest(req: IncomingMessage, mode: Mode, body: Buffer): Decoded {
  if (mode === Mode.BATCH) return batch(body);
  if (mode === Mode.BINARY) return { ok: true, mode, candidates: [binary(req, body)] };
  const parsed = parseJson(body, "event");
  if (parsed.issue) return { ok: false, issues: [parsed.issue] };
  return { ok: true, mode, candidates: [fromDocument(parsed.value, "")] };
}
