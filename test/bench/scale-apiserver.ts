// The apiserver's own account of a phase, read from its /metrics as the admin: the requests it served
// (apiserver_request_total, by verb and resource, whoever asked) and the time its admission plugins took per create.
import { request } from "node:https";
import type { RequestOptions } from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";

/** One metric's series summed by a key made of their labels; a series whose key is undefined is left out. */
export type Series = Map<string, number>;

/** KWOK renewing its nodes' Leases, as kubelets do: the cluster's heartbeat, not anything a phase asked for. */
const HEARTBEAT = new Set(["leases"]);

export async function scrape(kc: KubeConfig): Promise<string> {
  const server = new URL(kc.getCurrentCluster()?.server ?? "");
  const options: RequestOptions = {
    host: server.hostname,
    port: server.port,
    path: "/metrics",
    method: "GET",
  };
  await kc.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const req = request(options, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () =>
        res.statusCode === 200 ? resolve(body) : reject(new Error(`GET /metrics: ${res.statusCode} ${body}`)),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

function series(
  text: string,
  metric: string,
  keyOf: (labels: Record<string, string>) => string | undefined,
): Series {
  const sums: Series = new Map();
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${metric}{`)) continue;
    const labels: Record<string, string> = Object.fromEntries(
      [...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1] ?? "", m[2] ?? ""]),
    );
    const key = keyOf(labels);
    if (key !== undefined)
      sums.set(key, (sums.get(key) ?? 0) + Number(line.slice(line.lastIndexOf(" ") + 1)));
  }
  return sums;
}

/** Requests served, by "VERB resource[/subresource][ dry-run]", heartbeats left out. */
export const requestCounts = (text: string): Series =>
  series(text, "apiserver_request_total", (l) => {
    if (HEARTBEAT.has(l.resource ?? "")) return undefined;
    return `${l.verb} ${l.resource}${l.subresource ? `/${l.subresource}` : ""}${l.dry_run ? " dry-run" : ""}`;
  });

/** Seconds each admission plugin spent on creates, by "plugin step", and how many creates it saw. */
export function admissionTimes(text: string): { seconds: Series; calls: Series } {
  const key = (l: Record<string, string>): string | undefined =>
    l.operation === "CREATE" ? `${l.name} ${l.type}` : undefined;
  return {
    seconds: series(text, "apiserver_admission_controller_admission_duration_seconds_sum", key),
    calls: series(text, "apiserver_admission_controller_admission_duration_seconds_count", key),
  };
}

type Admission = ReturnType<typeof admissionTimes>;

/** Each plugin's mean time per create between two readings (ms), the slowest first. */
export function admissionMeans(before: Admission, after: Admission): [string, number][] {
  return [...after.seconds]
    .map(([key, seconds]): [string, number] => {
      const calls = (after.calls.get(key) ?? 0) - (before.calls.get(key) ?? 0);
      return [key, calls > 0 ? ((seconds - (before.seconds.get(key) ?? 0)) * 1000) / calls : 0];
    })
    .sort((a, b) => b[1] - a[1]);
}

export const describeMeans = (means: [string, number][], top = 4): string =>
  means
    .slice(0, top)
    .map(([key, ms]) => `${key} ${ms.toFixed(1)} ms`)
    .join(", ");

/** The mean of the tenant policies' two admission steps per create (ms): what grows with their bindings. */
export const policyAdmissionMs = (means: [string, number][]): number =>
  means
    .filter(([key]) => /^(Mutating|Validating)AdmissionPolicy /.test(key))
    .reduce((sum, [, ms]) => sum + ms, 0);

/** The CPU the apiserver process has used so far (s): what a phase cost it, however long it waited for a core. */
export const apiserverCpuSeconds = (text: string): number =>
  Number(/^process_cpu_seconds_total (\S+)$/m.exec(text)?.[1] ?? NaN);

export interface Cost {
  total: number;
  /** The largest contributors, per unit, largest first. */
  top: [string, number][];
}

/** What grew between two readings, per unit of work (a tenant, a pod). */
export function costPer(before: Series, after: Series, units: number): Cost {
  const delta = [...after].map(([key, n]): [string, number] => [key, (n - (before.get(key) ?? 0)) / units]);
  const top = delta.filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
  return { total: top.reduce((sum, [, n]) => sum + n, 0), top: top.slice(0, 8) };
}

export const describeCost = (cost: Cost): string =>
  cost.top.map(([key, n]) => `${key} ${n.toFixed(1)}`).join(", ");
