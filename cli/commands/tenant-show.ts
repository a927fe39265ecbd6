// `icnctl tenant show <name>`: one tenant whole: state, last request and its source, applied objects, Events.
import type { Kube } from "../../shared/kube.ts";
import type { TenantRecord } from "../../shared/tenant-record.ts";
import type { CliDeps } from "../context.ts";
import type { EventView } from "../event-view.ts";
import { formatTable, note, type OutputFormat } from "../output.ts";
import type { TenantSummary } from "../tenants/inventory.ts";
import type { AppliedObject, TenantEvent } from "../tenants/objects.ts";
import { ageOf } from "../tenants/with-kube.ts";

/** The tenant.requested last applied, as the events stream still holds it. */
export interface LastRequest {
  id: string;
  type?: string;
  source?: string;
  time?: string;
  data?: unknown;
}

export interface TenantDetail extends TenantSummary {
  /** The tenant's parameters and request record (icn-system/tenant-<name>). */
  record?: TenantRecord;
  /** Its lifecycle state (icn-system/tenant-<name>.state), when one was ever set. */
  stateRecord?: TenantRecord;
  /** Namespaces released from it that are still frozen, awaiting an operator's review. */
  released: string[];
  request?: LastRequest;
  objects: AppliedObject[];
  events: TenantEvent[];
}

/**
 * The request itself lives on the bus, at the stream sequence the record keeps; a stream that no longer
 * holds it (retention, another prefix) or a bus that is away leaves the record's own fields.
 */
async function lastRequest(deps: CliDeps, sequence: number, id: string): Promise<LastRequest | undefined> {
  const { isStreamMissing, withSession } = await import("../context.ts");
  const { fromStoredMsg } = await import("../stored.ts");
  const { viewOf } = await import("../event-view.ts");
  const unshown = "the last request's source and data are not shown";
  try {
    const view: EventView | undefined = await withSession(deps, async ({ jsm, config }) => {
      const msg = await jsm.streams
        .getMessage(config.eventsStream, { seq: sequence })
        .catch((err: unknown) => {
          if (!isStreamMissing(err)) throw err;
          note(
            `${unshown}: there is no events stream ${config.eventsStream} (ICN_SUBJECT_PREFIX ${config.prefix})`,
          );
          return null;
        });
      return msg ? viewOf(fromStoredMsg(msg)) : undefined;
    });
    if (view?.id === id)
      return { id, type: view.type, source: view.source, time: view.time, data: view.data };
    if (view) note(`${unshown}: the events stream no longer holds request ${id} (sequence ${sequence})`);
  } catch (err) {
    note(`${unshown}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return undefined;
}

export async function tenantDetail(
  deps: CliDeps,
  kube: Kube,
  name: string,
  eventLimit: number,
): Promise<TenantDetail | undefined> {
  const { readTenant } = await import("../tenants/inventory.ts");
  const { appliedObjects, tenantEvents } = await import("../tenants/objects.ts");
  const found = await readTenant(kube, name);
  if (!found) return undefined;
  const { summary, maps, released } = found;
  const stamp = summary.lastRequest;
  const request = stamp && (await lastRequest(deps, stamp.sequence, stamp.id));
  return {
    ...summary,
    ...(maps.record ? { record: maps.record } : {}),
    ...(maps.state ? { stateRecord: maps.state } : {}),
    released,
    ...(request ? { request } : {}),
    objects: await appliedObjects(kube, name, summary.namespaces),
    events: await tenantEvents(kube, [...summary.namespaces, ...released], eventLimit),
  };
}

function stateLine(d: TenantDetail): string {
  const change = d.lastStateChange;
  if (!change) return d.state;
  const by = change.source ? ` by ${change.source}` : "";
  return `${d.state}${d.reason ? `: ${d.reason}` : ""} (${change.time}${by}, request ${change.id})`;
}

function requestLines(d: TenantDetail): [string, string][] {
  const stamp = d.lastRequest;
  if (!stamp) return [["last request", "none applied"]];
  const lines: [string, string][] = [
    [
      "last request",
      `${stamp.id} at ${stamp.time} (${ageOf(stamp.time)}), stream sequence ${stamp.sequence}`,
    ],
  ];
  if (d.request?.type) lines.push(["type", d.request.type]);
  if (d.request?.source) lines.push(["source", d.request.source]);
  if (d.request?.data !== undefined) lines.push(["request", JSON.stringify(d.request.data)]);
  return lines;
}

function headerLines(d: TenantDetail): string {
  const classes = d.record?.allowedRuntimeClasses
    ? `${d.record.defaultRuntimeClass ?? ""} by default; allowed ${d.record.allowedRuntimeClasses.replaceAll(",", ", ")}`
    : "";
  const rows: [string, string][] = [
    ["tenant", d.tenant],
    ["state", stateLine(d)],
    ["owner", d.owner ?? ""],
    ["namespaces", d.namespaces.join(", ") || "none"],
    ...(d.released.length
      ? [["released", `${d.released.join(", ")} (frozen until an operator reviews them)`] as [string, string]]
      : []),
    ["runtime classes", classes],
    ...requestLines(d),
  ];
  const width = Math.max(...rows.map(([key]) => key.length)) + 2;
  return rows.map(([key, value]) => `${`${key}:`.padEnd(width)}${value}`).join("\n");
}

export function printTenant(d: TenantDetail, format: OutputFormat): void {
  const objects = formatTable<AppliedObject>(
    d.objects,
    [
      { header: "KIND", value: (o) => o.kind },
      { header: "NAMESPACE", value: (o) => o.namespace ?? "" },
      { header: "NAME", value: (o) => o.name },
      { header: "AGE", value: (o) => (o.created ? ageOf(o.created) : "") },
    ],
    format,
  );
  const events = d.events.length
    ? formatTable<TenantEvent>(
        d.events,
        [
          { header: "LAST SEEN", value: (e) => ageOf(e.time) },
          { header: "NAMESPACE", value: (e) => e.namespace },
          { header: "TYPE", value: (e) => e.type },
          { header: "REASON", value: (e) => e.reason },
          { header: "OBJECT", value: (e) => e.object },
          { header: "MESSAGE", value: (e) => e.note, max: 100 },
        ],
        format,
      )
    : "none (the apiserver keeps Events for an hour by default: --event-ttl)";
  process.stdout.write(`${headerLines(d)}\n\nApplied objects:\n${objects}\n\nEvents:\n${events}\n`);
}
