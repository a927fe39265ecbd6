// `icnctl tenant ls|show|diff`: the tenants as the cluster has them, one tenant whole, and what a request would change.
import { Command, InvalidArgumentError } from "commander";
import type { CliDeps } from "../context.ts";
import { notFound } from "../errors.ts";
import { outputOption, printJson, printTable, type OutputFormat } from "../output.ts";
import type { TenantSummary } from "../tenants/inventory.ts";
import { ageOf, withKube } from "../tenants/with-kube.ts";
import { diffCommand } from "./tenant-diff.ts";
import { printTenant, tenantDetail } from "./tenant-show.ts";

type Out = { output: OutputFormat };

async function ls(deps: CliDeps, opts: Out): Promise<void> {
  const { listTenants } = await import("../tenants/inventory.ts");
  const tenants = await withKube(deps, undefined, listTenants);
  if (opts.output === "json") return printJson(tenants);
  printTable<TenantSummary>(
    tenants,
    [
      { header: "TENANT", value: (t) => t.tenant },
      { header: "STATE", value: (t) => t.state },
      { header: "NAMESPACES", value: (t) => String(t.namespaces.length) },
      { header: "OWNER", value: (t) => t.owner ?? "", max: 30 },
      { header: "LAST REQUEST", value: (t) => ageOf(t.lastRequest?.time) },
      { header: "REQUEST ID", value: (t) => t.lastRequest?.id ?? "" },
      { header: "REASON", value: (t) => t.reason ?? "", max: 50 },
    ],
    "no tenants: publish a tenant.requested (icnctl publish tenant.requested --data @tenant.json)",
    opts.output,
  );
}

const eventCount = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("must be a whole number (0 shows none)");
  return n;
};

async function show(deps: CliDeps, name: string, opts: Out & { events: number }): Promise<void> {
  const detail = await withKube(deps, undefined, (kube) => tenantDetail(deps, kube, name, opts.events));
  if (!detail)
    throw notFound(
      `there is no tenant ${name}: no icn-system/tenant-${name} and no namespace labelled icn.akraino.org/tenant=${name}`,
      "list the tenants with icnctl tenant ls",
    );
  if (opts.output === "json") return printJson(detail);
  printTenant(detail, opts.output);
}

export function tenantCommand(deps: CliDeps): Command {
  const tenant = new Command("tenant").description(
    "tenants as the cluster has them: their state and namespaces, what was applied, what a request would change",
  );
  tenant
    .command("ls")
    .description("every tenant: its state (active, cordoned, ...), namespace count, owner and last request")
    .addOption(outputOption({ wide: true }))
    .action((opts: Out) => ls(deps, opts));
  tenant
    .command("show")
    .description(
      "one tenant: its state, last request and source, the objects applied for it, its namespaces' Events",
    )
    .argument("<name>", "the tenant (exit code 3 when the cluster knows no such tenant)")
    .option("--events <n>", "how many of the newest Events to show", eventCount, 20)
    .addOption(outputOption({ wide: true }))
    .action((name: string, opts: Out & { events: number }) => show(deps, name, opts));
  tenant.addCommand(diffCommand(deps));
  return tenant;
}
