// `icnctl tenant diff <file>`: what a tenant.requested would change, by server-side dry run; nothing is written.
import { Command } from "commander";
import { parseEventData, type EventData } from "../../schemas/events.ts";
import { envString } from "../../shared/env.ts";
import { isIcnError } from "../../shared/errors.ts";
import type { Kube } from "../../shared/kube.ts";
import type { CliDeps } from "../context.ts";
import { CliError, EXIT, usageError } from "../errors.ts";
import { outputOption, printJson, printTable, type OutputFormat } from "../output.ts";
import { CHANGE_ACTIONS, describeChange, type FieldChange } from "../tenants/changes.ts";
import type { ObjectChange, TenantDiff } from "../tenants/diff.ts";
import { withKube } from "../tenants/with-kube.ts";
import { readData } from "./publish.ts";

type DiffOptions = { output: OutputFormat; source?: string; as?: string; all?: boolean };

const PROVISION_TENANT_USER = "system:serviceaccount:icn-system:provision-tenant";

/** A file holds the request's data, or a whole CloudEvent (structured mode) whose source, id and time then count too. */
function requestOf(
  input: unknown,
  file: string,
): { data: unknown; source?: string; id?: string; time?: string } {
  if (input === null || typeof input !== "object")
    throw usageError(
      `${file} holds no tenant.requested`,
      "give the request's data as a JSON object, or a CloudEvent",
    );
  if (!("specversion" in input)) return { data: input };
  const event = input as Record<string, unknown>;
  const text = (key: string): Record<string, string> =>
    typeof event[key] === "string" ? { [key]: event[key] } : {};
  return { data: event.data, ...text("source"), ...text("id"), ...text("time") };
}

function validRequest(data: unknown, file: string): EventData<"tenant.requested"> {
  const parsed = parseEventData("tenant.requested", data);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues)
    process.stderr.write(`  ${issue.path.join(".") || "data"}: ${issue.message}\n`);
  const count = parsed.error.issues.length;
  throw usageError(
    `${file} is not a valid tenant.requested (${count} problem${count === 1 ? "" : "s"}); provision-tenant would reject it`,
    "fix the fields listed above and diff again",
  );
}

/**
 * A refused dry run: as the operator, tamper protection lets only the platform update its objects; as `--as`,
 * that identity may lack the rights. Reads are always the operator's, whose refusals kubeFailure explains.
 */
function forbiddenDryRun(err: unknown, as: string | undefined): never {
  if (!isIcnError(err) || err.code !== "KUBE_FORBIDDEN" || !/^apply /.test(err.message)) throw err;
  const hint = as
    ? `${as} may not apply the tenant's objects: name provision-tenant's ServiceAccount, ${PROVISION_TENANT_USER}`
    : `the dry run ran as you, and only the platform may change its objects: run it as provision-tenant with --as ${PROVISION_TENANT_USER} (you need the right to impersonate)`;
  throw new CliError(EXIT.failure, err.message, hint, { cause: err });
}

interface Row {
  action: string;
  object: string;
  change: string;
}

function rowsOf(changes: readonly ObjectChange[], describe: (f: FieldChange) => string): Row[] {
  return changes.flatMap((c) => {
    if (!c.fields?.length) return [{ action: c.action, object: c.object, change: c.note ?? "" }];
    return c.fields.map((f, i) =>
      i === 0
        ? { action: c.action, object: c.object, change: describe(f) }
        : { action: "", object: "", change: describe(f) },
    );
  });
}

function countLine(diff: TenantDiff): string {
  const parts = CHANGE_ACTIONS.map(
    (action) => [action, diff.changes.filter((c) => c.action === action).length] as const,
  )
    .filter(([, n]) => n > 0)
    .map(([action, n]) => `${n} ${action}`);
  return `tenant ${diff.tenant} (${diff.exists ? "exists" : "new"}): ${parts.join(", ") || "nothing planned"}`;
}

function printDiff(diff: TenantDiff, opts: DiffOptions): void {
  const shown = opts.all ? diff.changes : diff.changes.filter((c) => c.action !== "unchanged");
  process.stdout.write(`${countLine(diff)}\n`);
  printTable<Row>(
    rowsOf(shown, describeChange),
    [
      { header: "ACTION", value: (r) => r.action },
      { header: "OBJECT", value: (r) => r.object },
      { header: "CHANGE", value: (r) => r.change, max: 100 },
    ],
    "no changes: the cluster already is what this request asks for",
    opts.output,
  );
}

async function diff(deps: CliDeps, file: string, opts: DiffOptions): Promise<void> {
  // `npm run icnctl` runs in the package root; INIT_CWD is where the operator typed the command.
  const input = readData(file === "-" ? "@-" : `@${file}`, envString(deps.env, "INIT_CWD", process.cwd()));
  const { data, ...attributes } = requestOf(input, file);
  const request = validRequest(data, file);
  const { optionsFromEnv } = await import("../../functions/provision-tenant/options.ts");
  const { diffRequest } = await import("../tenants/diff.ts");
  const options = {
    ...optionsFromEnv(deps.env),
    ...attributes,
    ...(opts.source ? { source: opts.source } : {}),
  };
  const result = await withKube(deps, opts.as, (kube: Kube, dryRun: Kube) =>
    diffRequest({ read: kube, dryRun }, request, options).catch((err: unknown) =>
      forbiddenDryRun(err, opts.as),
    ),
  );
  if (opts.output === "json") printJson(result);
  else if (result.refusals.length === 0) printDiff(result, opts);
  for (const refusal of result.refusals)
    process.stderr.write(`refused: ${refusal.code}: ${refusal.message}\n`);
  const count = result.refusals.length;
  if (count)
    throw usageError(
      `provision-tenant would refuse this request (${count} reason${count === 1 ? "" : "s"} above): it would change nothing`,
      "fix the request, or what it runs into in the cluster, and diff it again",
    );
}

export function diffCommand(deps: CliDeps): Command {
  return new Command("diff")
    .description(
      "what a tenant.requested would change, by server-side dry run against the apiserver; writes nothing",
    )
    .argument("<file>", "the request's data as JSON (or a structured CloudEvent), - for stdin")
    .option(
      "--source <uri>",
      "check that this source may change the tenant (default: the CloudEvent's source, when the file is one)",
    )
    .option(
      "--as <user>",
      `apply the dry run as this user (kubectl's --as; reads stay yours), e.g. ${PROVISION_TENANT_USER}`,
    )
    .option("--all", "list unchanged objects too")
    .addOption(outputOption({ wide: true }))
    .addHelpText(
      "after",
      "\nExit codes: 0 the request would be applied (the listed changes, or none); 2 the file is not a valid " +
        "tenant.requested, or provision-tenant would refuse it (the reasons are printed; nothing would change); " +
        "1 the apiserver could not answer.",
    )
    .action((file: string, opts: DiffOptions) => diff(deps, file, opts));
}
