// icnctl tenant ls|show|diff against the real servers: tenants and their states, one tenant whole, and a diff that writes nothing.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api, KubernetesObjectApi } from "@kubernetes/client-node";
import type { NatsConnection } from "@nats-io/transport-node";
import { cordonTenant } from "../../functions/cordon-tenant/index.ts";
import { retireTenant } from "../../functions/retire-tenant/index.ts";
import {
  optionsFromEnv as provisionOptions,
  provisionTenant,
} from "../../functions/provision-tenant/index.ts";
import { aTenantRequested } from "../../schemas/fixtures.ts";
import { tenantChangeOptionsFromEnv } from "../../shared/tenant-record.ts";
import { applyBaseRbac, serviceAccountUser } from "../deploy/identities.ts";
import { kubeConfig, natsConnection, uniqueName } from "../harness/servers.ts";
import { functionRig, type FunctionRig } from "../functions/support.ts";
import { ensureRuntimeClasses } from "../functions/tenant-day2.ts";
import { cliEnv, icnctl, json } from "./support.ts";

const kc = kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const objects = KubernetesObjectApi.makeApiClient(kc);
const calm = uniqueName("calm");
const frozen = uniqueName("frozen");
const gone = uniqueName("gone");
const REASON = "INV-7 unpaid: call billing";
const dir = mkdtempSync(join(tmpdir(), "icn-tenant-cli-"));
let nc: NatsConnection;
let rig: FunctionRig;
let env: Record<string, string>;
let calmRequestId = "";

const requestFor = (tenant: string, extra: Record<string, unknown> = {}): Record<string, unknown> =>
  aTenantRequested({
    tenant,
    admins: [{ kind: "User", name: `alice-${tenant}` }],
    namespaces: [tenant, `${tenant}-dev`],
    quota: { pods: 10 },
    ...extra,
  });

/** A request file for `tenant diff`. */
function requestFile(name: string, request: unknown): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(request));
  return path;
}

beforeAll(async () => {
  nc = await natsConnection();
  rig = await functionRig(nc, [
    // The functions' own ServiceAccounts stay on the cluster-wide policies (test/deploy runs them).
    provisionTenant(provisionOptions({ ICN_PLATFORM_IDENTITIES: "icn-admin" })),
    cordonTenant(tenantChangeOptionsFromEnv({})),
    retireTenant(tenantChangeOptionsFromEnv({})),
  ]);
  env = cliEnv(rig.config);
  await ensureRuntimeClasses(kc);
  for (const tenant of [calm, frozen, gone]) {
    const { event, outcome } = await rig.send("tenant.requested", requestFor(tenant), "provision-tenant", {
      time: "2026-11-26T10:00:00.000Z",
    });
    expect(outcome).toMatchObject({ state: "succeeded" });
    if (tenant === calm) calmRequestId = event.id;
  }
  const { outcome } = await rig.send(
    "tenant.cordon-requested",
    { tenant: frozen, reason: REASON },
    "cordon-tenant",
    {
      time: "2026-11-27T10:00:00.000Z",
    },
  );
  expect(outcome).toMatchObject({ state: "succeeded" });
  const retired = await rig.send(
    "tenant.retire-requested",
    { tenant: gone, reason: "contract ended" },
    "retire-tenant",
    {
      time: "2026-11-27T11:00:00.000Z",
    },
  );
  expect(retired.outcome).toMatchObject({ state: "succeeded" });
});
afterAll(async () => {
  await rig.stop();
  await nc.close();
});

interface Summary {
  tenant: string;
  state: string;
  reason?: string;
  namespaces: string[];
  owner?: string;
  lastRequest?: { id: string; time: string; sequence: number };
}

describe("tenant ls", () => {
  test("lists a provisioned tenant as active and a cordoned one as cordoned, with their namespaces and last request", async () => {
    const result = await icnctl(["tenant", "ls", "-o", "json"], env);
    expect(result.code).toBe(0);
    const tenants = json<Summary[]>(result);
    expect(tenants.find((t) => t.tenant === calm)).toMatchObject({
      state: "active",
      namespaces: [calm, `${calm}-dev`],
      owner: "urn:test:functions",
      lastRequest: { id: calmRequestId, time: "2026-11-26T10:00:00.000Z" },
    });
    expect(tenants.find((t) => t.tenant === frozen)).toMatchObject({ state: "cordoned", reason: REASON });
    // Its record is left as a tombstone, stamped with the retire.
    expect(tenants.find((t) => t.tenant === gone)).toMatchObject({
      state: "retired",
      namespaces: [],
      lastRequest: { time: "2026-11-27T11:00:00.000Z" },
    });
  });

  test("the table has a row per tenant with its state and namespace count", async () => {
    const { code, stdout } = await icnctl(["tenant", "ls"], env);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^TENANT +STATE +NAMESPACES +OWNER +LAST REQUEST +REQUEST ID +REASON$/m);
    expect(stdout).toMatch(
      new RegExp(`^${calm} +active +2 +urn:test:functions +\\S+ ago +${calmRequestId}$`, "m"),
    );
    expect(stdout).toMatch(new RegExp(`^${frozen} +cordoned +2 +urn:test:functions .* ${REASON}$`, "m"));
  });
});

interface Detail extends Summary {
  request?: { id: string; source?: string; data?: { tenant?: string; quota?: unknown } };
  objects: { apiVersion: string; kind: string; namespace?: string; name: string }[];
  events: { namespace: string; type: string; reason: string; note: string }[];
}

const showJson = async (tenant: string): Promise<Detail> =>
  json<Detail>(await icnctl(["tenant", "show", tenant, "-o", "json"], env));

describe("tenant show", () => {
  test("lists the tenant's namespaces and every object applied for it, and its last request with its source", async () => {
    const detail = await showJson(calm);
    const refs = detail.objects.map((o) => [o.kind, o.namespace ?? "", o.name].join("/"));
    for (const ns of [calm, `${calm}-dev`])
      expect(refs).toEqual(
        expect.arrayContaining([
          `Namespace//${ns}`,
          `ResourceQuota/${ns}/icn-tenant-quota`,
          `LimitRange/${ns}/icn-tenant-limits`,
          `NetworkPolicy/${ns}/icn-tenant-isolation`,
          `RoleBinding/${ns}/icn-tenant-admins`,
        ]),
      );
    expect(refs).toEqual(
      expect.arrayContaining([
        `ConfigMap/icn-system/tenant-${calm}`,
        `ValidatingAdmissionPolicyBinding//icn-tenant-cordon.${calm}`,
        `MutatingAdmissionPolicyBinding//icn-tenant-default-runtime-class.${calm}`,
      ]),
    );
    expect(detail.request).toMatchObject({
      id: calmRequestId,
      source: "urn:test:functions",
      data: { tenant: calm, quota: { pods: 10 } },
    });
  });

  test("shows the Events of its namespaces: provisioned, and for a cordoned tenant the cordon and why", async () => {
    const provisioned = (await showJson(calm)).events.filter((e) => e.reason === "TenantProvisioned");
    expect(provisioned.map((e) => e.namespace).sort()).toEqual([calm, `${calm}-dev`]);
    const detail = await showJson(frozen);
    expect(detail).toMatchObject({ state: "cordoned", reason: REASON });
    const cordoned = detail.events.filter((e) => e.reason === "TenantCordoned");
    expect(cordoned).toHaveLength(2);
    expect(cordoned[0]).toMatchObject({ type: "Warning" });
    expect(cordoned[0]?.note).toContain(REASON);
  });

  test("the table shows the state, the objects and the Events", async () => {
    const { code, stdout } = await icnctl(["tenant", "show", frozen], env);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      new RegExp(`^state: +cordoned: ${REASON} \\(2026-11-27T10:00:00.000Z by urn:test:functions`, "m"),
    );
    expect(stdout).toMatch(/^source: +urn:test:functions$/m);
    expect(stdout).toMatch(new RegExp(`^ResourceQuota +${frozen}-dev +icn-tenant-quota +\\S+ ago$`, "m"));
    expect(stdout).toMatch(
      new RegExp(`^\\S+ ago +${frozen} +Warning +TenantCordoned +Namespace/${frozen} +tenant`, "m"),
    );
  });

  test("a tenant the cluster does not know is exit code 3, with what to do", async () => {
    const result = await icnctl(["tenant", "show", "no-such-tenant"], env);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("there is no tenant no-such-tenant");
    expect(result.stderr).toContain("icnctl tenant ls");
  });
});

interface Diff {
  tenant: string;
  exists: boolean;
  changes: { action: string; object: string; fields?: { path: string; from?: unknown; to?: unknown }[] }[];
  refusals: { code: string; message: string }[];
}

/** Every applied object's resourceVersion, read straight from the apiserver. */
async function resourceVersions(tenant: string): Promise<Record<string, string>> {
  const versions: Record<string, string> = {};
  for (const { apiVersion, kind, namespace, name } of (await showJson(tenant)).objects) {
    const found = await objects.read({ apiVersion, kind, metadata: { name, namespace } });
    versions[`${kind}/${namespace ?? ""}/${name}`] = found.metadata?.resourceVersion ?? "";
  }
  return versions;
}

describe("tenant diff", () => {
  test("a raised quota and a dropped namespace: listed by server-side dry run, and nothing in the cluster changes", async () => {
    const before = await resourceVersions(calm);
    expect(Object.keys(before).length).toBeGreaterThan(10);
    const file = requestFile("changed", requestFor(calm, { namespaces: [calm], quota: { pods: 20 } }));
    const result = await icnctl(["tenant", "diff", file, "-o", "json"], env);
    expect(result.code).toBe(0);
    const diff = json<Diff>(result);
    expect(diff).toMatchObject({ tenant: calm, exists: true, refusals: [] });
    expect(diff.changes.filter((c) => c.action === "update")).toEqual([
      {
        action: "update",
        object: `ResourceQuota/${calm}/icn-tenant-quota`,
        fields: [{ path: "spec.hard.pods", from: "10", to: "20" }],
      },
    ]);
    expect(diff.changes.filter((c) => c.action === "release").map((c) => c.object)).toEqual([
      `Namespace/${calm}-dev`,
    ]);
    expect(
      diff.changes
        .filter((c) => c.action === "delete")
        .map((c) => c.object)
        .sort(),
    ).toEqual([
      `LimitRange/${calm}-dev/icn-tenant-limits`,
      `NetworkPolicy/${calm}-dev/icn-tenant-isolation`,
      `ResourceQuota/${calm}-dev/icn-tenant-quota`,
      `RoleBinding/${calm}-dev/icn-tenant-admins`,
    ]);
    expect(await resourceVersions(calm)).toEqual(before);
    const dropped = await core.readNamespace({ name: `${calm}-dev` });
    expect(dropped.metadata?.labels?.["icn.akraino.org/tenant"]).toBe(calm);
  });

  test("the table lists each change on a line of its own", async () => {
    const file = requestFile("changed-table", requestFor(calm, { namespaces: [calm], quota: { pods: 20 } }));
    const { code, stdout } = await icnctl(["tenant", "diff", file], env);
    expect(code).toBe(0);
    expect(stdout).toContain(`tenant ${calm} (exists): 1 update, 1 release, 4 delete, 8 unchanged\n`);
    expect(stdout).toMatch(/^ACTION +OBJECT +CHANGE$/m);
    expect(stdout).toMatch(
      new RegExp(`^update +ResourceQuota/${calm}/icn-tenant-quota +spec\\.hard\\.pods: 10 → 20$`, "m"),
    );
    expect(stdout).toMatch(
      new RegExp(`^release +Namespace/${calm}-dev +frozen, its admins unbound, then it loses the label`, "m"),
    );
    expect(stdout).not.toMatch(/^unchanged /m);
  });

  test("--as runs the dry run as that identity: provision-tenant's ServiceAccount sees the changes, a stranger is refused", async () => {
    await applyBaseRbac();
    const file = requestFile("as", requestFor(calm, { quota: { pods: 30 } }));
    const as = serviceAccountUser("provision-tenant");
    const diff = json<Diff>(await icnctl(["tenant", "diff", file, "--as", as, "-o", "json"], env));
    expect(diff.refusals).toEqual([]);
    expect(diff.changes.filter((c) => c.action === "update")).toEqual(
      [calm, `${calm}-dev`].map((ns) => ({
        action: "update",
        object: `ResourceQuota/${ns}/icn-tenant-quota`,
        fields: [{ path: "spec.hard.pods", from: "10", to: "30" }],
      })),
    );
    const stranger = await icnctl(["tenant", "diff", file, "--as", `nobody-${calm}`], env);
    expect(stranger.code).toBe(1);
    expect(stranger.stderr).toMatch(
      /^error: apply .*HTTP 403.*; nobody-\S+ may not apply the tenant's objects/,
    );
  });

  test("the request as applied: no changes", async () => {
    const { code, stdout } = await icnctl(["tenant", "diff", requestFile("same", requestFor(calm))], env);
    expect(code).toBe(0);
    expect(stdout).toContain("no changes: the cluster already is what this request asks for");
  });

  test("a new tenant: everything is created", async () => {
    const fresh = uniqueName("fresh");
    const diff = json<Diff>(
      await icnctl(["tenant", "diff", requestFile("fresh", requestFor(fresh)), "-o", "json"], env),
    );
    expect(diff).toMatchObject({ tenant: fresh, exists: false, refusals: [] });
    expect(diff.changes.length).toBeGreaterThan(10);
    expect(new Set(diff.changes.map((c) => c.action))).toEqual(new Set(["create"]));
    await expect(core.readNamespace({ name: fresh })).rejects.toMatchObject({ code: 404 });
  });

  test("a request provision-tenant would refuse: exit code 2 with its reason, nothing would change", async () => {
    const file = requestFile(
      "runc",
      requestFor(calm, { runtimeClasses: { allowed: ["runc"], default: "runc" } }),
    );
    const result = await icnctl(["tenant", "diff", file], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^refused: NOT_KATA_CLASS: /m);
    expect(result.stderr).toContain("provision-tenant would refuse this request");
  });

  test("a CloudEvent older than the retire that removed its tenant: refused as stale, as provision-tenant would", async () => {
    const event = {
      specversion: "1.0",
      type: "org.akraino.icn.tenant.requested",
      source: "urn:test:functions",
      id: "yesterdays-request",
      time: "2026-11-26T12:00:00.000Z",
      data: requestFor(gone),
    };
    const result = await icnctl(["tenant", "diff", requestFile("stale", event), "-o", "json"], env);
    expect(result.code).toBe(2);
    expect(json<Diff>(result).refusals).toEqual([
      {
        code: "STALE_REQUEST",
        message: expect.stringContaining(`a newer request for tenant ${gone}`) as string,
      },
    ]);
  });

  test("a file that is no valid tenant.requested: exit code 2 with the fields at fault", async () => {
    const result = await icnctl(["tenant", "diff", requestFile("invalid", { tenant: "Bad Name" })], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^ {2}admins: /m);
    expect(result.stderr).toContain("is not a valid tenant.requested");
  });
});
