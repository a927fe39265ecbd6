// The apiserver's own count of the requests it served (apiserver_request_total on /metrics, read as the admin), by
// verb and resource: what a phase cost the apiserver, whoever asked.
import { request } from "node:https";
import type { RequestOptions } from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";

/** Requests served so far, by "VERB resource[/subresource][ dry-run]". */
export type RequestCounts = Map<string, number>;

/** KWOK renewing its nodes' Leases, as kubelets do: the cluster's heartbeat, not anything a phase asked for. */
const HEARTBEAT = new Set(["leases"]);

async function get(kc: KubeConfig, path: string): Promise<string> {
  const server = new URL(kc.getCurrentCluster()?.server ?? "");
  const options: RequestOptions = { host: server.hostname, port: server.port, path, method: "GET" };
  await kc.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const req = request(options, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () =>
        res.statusCode === 200 ? resolve(body) : reject(new Error(`GET ${path}: ${res.statusCode} ${body}`)),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

export function parseRequestCounts(metrics: string): RequestCounts {
  const counts: RequestCounts = new Map();
  for (const line of metrics.split("\n")) {
    if (!line.startsWith("apiserver_request_total{")) continue;
    const labels: Record<string, string> = Object.fromEntries(
      [...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1] ?? "", m[2] ?? ""]),
    );
    if (HEARTBEAT.has(labels.resource ?? "")) continue;
    const sub = labels.subresource ? `/${labels.subresource}` : "";
    const dryRun = labels.dry_run ? " dry-run" : "";
    const key = `${labels.verb} ${labels.resource}${sub}${dryRun}`;
    counts.set(key, (counts.get(key) ?? 0) + Number(line.slice(line.lastIndexOf(" ") + 1)));
  }
  return counts;
}

export async function requestCounts(kc: KubeConfig): Promise<RequestCounts> {
  return parseRequestCounts(await get(kc, "/metrics"));
}

export interface RequestCost {
  total: number;
  /** The largest contributors, per unit, largest first. */
  top: [string, number][];
}

/** The requests served between two readings, per unit of work (a tenant, a pod). */
export function costPer(before: RequestCounts, after: RequestCounts, units: number): RequestCost {
  const delta = [...after].map(([key, n]): [string, number] => [key, (n - (before.get(key) ?? 0)) / units]);
  const top = delta.filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
  return { total: top.reduce((sum, [, n]) => sum + n, 0), top: top.slice(0, 8) };
}

export const describeCost = (cost: RequestCost): string =>
  cost.top.map(([key, n]) => `${key} ${n.toFixed(1)}`).join(", ");
