// What the demo plays, step by step, against the real apiserver: nodes join, a tenant arrives, runc is shut out.
import {
  CoreV1Api,
  NetworkingV1Api,
  type KubernetesObject,
  type V1Node,
  type V1Pod,
} from "@kubernetes/client-node";
import { jetstream } from "@nats-io/jetstream";
import { NFD_SVM, NFD_VMX } from "../../functions/label-kata-node/capability.ts";
import { QUARANTINE_POLICY } from "../../functions/quarantine-runc-pod/index.ts";
import { ADOPT_LABEL, KATA_LABEL, QUARANTINE_LABEL } from "../../schemas/names.ts";
import { NODE_WATCHER, POD_WATCHER } from "../../shared/sources/index.ts";
import { newEvent, publishEvent, stableId } from "../../shared/events.ts";
import type { Outcome } from "../../shared/host/outcomes.ts";
import { apply } from "../../shared/kube-apply.ts";
import { impersonating } from "../harness/servers.ts";
import { DEMO_NODE_LABEL, type DemoRuntime } from "./runtime.ts";
import type { Narrator, Wait } from "./steps.ts";

export interface DemoNames {
  run: string;
  tenant: string;
  admin: string;
  nodes: { name: string; cpu: string; labels: Record<string, string> }[];
}

export function demoNames(run: string): DemoNames {
  const amd64 = { "kubernetes.io/arch": "amd64" };
  return {
    run,
    tenant: `acme-${run}`,
    admin: "alice",
    nodes: [
      { name: `intel-1-${run}`, cpu: "Intel, VMX", labels: { ...amd64, [NFD_VMX]: "true" } },
      { name: `amd-1-${run}`, cpu: "AMD, SVM", labels: { ...amd64, [NFD_SVM]: "true" } },
      { name: `old-1-${run}`, cpu: "no VMX/SVM", labels: amd64 },
    ],
  };
}

const aPod = (name: string, runtimeClassName?: string): V1Pod => ({
  metadata: { name },
  spec: { runtimeClassName, containers: [{ name: "app", image: "registry.example/app:1" }] },
});

/** The apiserver's own words: the Status message inside the error's body. */
function apiserverMessage(err: unknown): string {
  const body = (err as { body?: unknown }).body;
  try {
    const parsed = (typeof body === "string" ? JSON.parse(body) : body) as { message?: string } | undefined;
    if (parsed?.message) return parsed.message;
  } catch {
    // not JSON: fall back to the error's message
  }
  return err instanceof Error ? err.message : String(err);
}

async function settledOutcome(
  wait: Wait,
  rt: DemoRuntime,
  event: { id: string; source: string },
  fn: string,
): Promise<Outcome> {
  return wait(`${fn} to settle event ${event.id}`, async () => {
    const o = await rt.host.outcomes.get(event, fn);
    return o && ["succeeded", "rejected", "dead-lettered"].includes(o.state) ? o : undefined;
  });
}

async function settled(
  wait: Wait,
  rt: DemoRuntime,
  event: { id: string; source: string },
  fn: string,
): Promise<Outcome> {
  const outcome = await settledOutcome(wait, rt, event, fn);
  if (outcome.state !== "succeeded")
    throw new Error(`${fn} ${outcome.state} event ${event.id}: ${outcome.error?.message ?? ""}`);
  return outcome;
}

async function nodesJoin(say: Narrator, rt: DemoRuntime, names: DemoNames): Promise<void> {
  const core = rt.kube.config.makeApiClient(CoreV1Api);
  const created: V1Node[] = [];
  await say.step("three nodes join", 15_000, async () => {
    for (const n of names.nodes)
      created.push(
        await core.createNode({
          body: { metadata: { name: n.name, labels: { ...n.labels, [DEMO_NODE_LABEL]: names.run } } },
        }),
      );
    return {
      line: `nodes ${names.nodes.map((n) => n.name).join(", ")} join the cluster`,
      result: "3 Node objects created",
    };
  });
  for (const [i, n] of names.nodes.entries()) {
    await say.step(`node ${n.name} labelled`, 30_000, async (wait) => {
      const value = await wait(
        `the ${KATA_LABEL} label on ${n.name}`,
        async () => (await core.readNode({ name: n.name })).metadata?.labels?.[KATA_LABEL],
      );
      await settled(
        wait,
        rt,
        { id: stableId(NODE_WATCHER.name, created[i]?.metadata?.uid ?? ""), source: NODE_WATCHER.source },
        "label-kata-node",
      );
      return {
        line: `node ${n.name} (${n.cpu}) → ${KATA_LABEL}=${value}`,
        notes: i ? [] : ["node.joined by node-watcher → label-kata-node → node.kata-enabled"],
        result: `${KATA_LABEL}=${value}`,
      };
    });
  }
}

async function legacyBeforeTenant(say: Narrator, rt: DemoRuntime, names: DemoNames): Promise<V1Pod> {
  const core = rt.kube.config.makeApiClient(CoreV1Api);
  let legacy: V1Pod = {};
  await say.step("a runc pod before the tenant exists", 15_000, async () => {
    // What a cluster with plain runc has; the legacy pod asks for it by name.
    await apply(
      rt.kube,
      {
        apiVersion: "node.k8s.io/v1",
        kind: "RuntimeClass",
        metadata: { name: "runc" },
        handler: "runc",
      } as KubernetesObject,
      "icn-demo",
    );
    await core.createNamespace({ body: { metadata: { name: names.tenant } } });
    legacy = await core.createNamespacedPod({ namespace: names.tenant, body: aPod("legacy", "runc") });
    return {
      line: `pod ${names.tenant}/legacy runs under runc; ${names.tenant} is nobody's tenant yet`,
      result: "legacy pod (runc) created",
    };
  });
  return legacy;
}

async function requestTenant(rt: DemoRuntime, names: DemoNames): Promise<{ id: string; source: string }> {
  const data = { tenant: names.tenant, admins: [{ kind: "User", name: names.admin }] };
  const event = newEvent({ name: "tenant.requested", source: "urn:icn-secure-tenancy/demo", data });
  await publishEvent(jetstream(rt.nc), rt.config.prefix, event);
  return event;
}

/** An existing namespace joins a tenant only when a cluster operator approves it, never as a side effect of a request. */
async function adoptionApproved(say: Narrator, rt: DemoRuntime, names: DemoNames): Promise<void> {
  await say.step(`tenant ${names.tenant} requested, not approved`, 60_000, async (wait) => {
    const event = await requestTenant(rt, names);
    const outcome = await settledOutcome(wait, rt, event, "provision-tenant");
    if (outcome.error?.code !== "ADOPTION_NOT_APPROVED")
      throw new Error(
        `expected a refusal until the operator approves, got ${outcome.state} ${outcome.error?.code ?? ""}`,
      );
    return {
      line: `tenant ${names.tenant} requested → rejected: namespace ${names.tenant} exists and no operator approved its adoption`,
      notes: [`tenant.rejected (${outcome.error?.code ?? ""}); nothing was changed`],
      result: "tenant.rejected, nothing changed",
    };
  });
  await say.step("the operator approves the adoption", 15_000, async () => {
    const core = rt.kube.config.makeApiClient(CoreV1Api);
    const namespace = await core.readNamespace({ name: names.tenant });
    const labels = { ...namespace.metadata?.labels, [ADOPT_LABEL]: names.tenant };
    await core.replaceNamespace({
      name: names.tenant,
      body: { ...namespace, metadata: { ...namespace.metadata, labels } },
    });
    return {
      line: `operator approves: kubectl label namespace ${names.tenant} ${ADOPT_LABEL}=${names.tenant}`,
      result: `${ADOPT_LABEL}=${names.tenant}`,
    };
  });
}

async function tenantArrives(say: Narrator, rt: DemoRuntime, names: DemoNames): Promise<void> {
  await say.step(`tenant ${names.tenant} requested again`, 60_000, async (wait) => {
    await settled(wait, rt, await requestTenant(rt, names), "provision-tenant");
    return {
      line: `tenant ${names.tenant} provisioned for admin User ${names.admin} (approved namespace adopted)`,
      notes: [
        "tenant.requested → provision-tenant: Kata admission policies enforced (dry-run probe), quota, limits, isolation NetworkPolicy, then the admin RoleBinding",
      ],
      result: "tenant.provisioned",
    };
  });
}

async function asTheTenant(say: Narrator, rt: DemoRuntime, names: DemoNames): Promise<void> {
  const asAdmin = impersonating(rt.kube.config, names.admin).makeApiClient(CoreV1Api);
  const namespace = names.tenant;
  await say.step(`${names.admin}'s pod without a class`, 30_000, async (wait) => {
    // Admission policies reach the apiserver's cache a moment after they are created.
    const pod = await wait(
      "the pod to be admitted with the tenant's default Kata class",
      async () => {
        const created = await asAdmin
          .createNamespacedPod({ namespace, body: aPod("web") })
          .catch((err: unknown) => {
            throw new Error(apiserverMessage(err));
          });
        if (created.spec?.runtimeClassName === "kata-qemu") return created;
        await asAdmin.deleteNamespacedPod({ name: "web", namespace });
        throw new Error(
          `admitted as runtimeClassName=${created.spec?.runtimeClassName}: the policies were not loaded yet`,
        );
      },
      250,
    );
    return {
      line: `pod ${namespace}/web created as ${names.admin} with no runtimeClassName → admitted as runtimeClassName=${pod.spec?.runtimeClassName}`,
      result: `defaulted to ${pod.spec?.runtimeClassName}`,
    };
  });
  await say.step(`${names.admin}'s runc pod`, 30_000, async (wait) => {
    const message = await wait(
      "the apiserver to deny the runc pod",
      async () => {
        const created = await asAdmin
          .createNamespacedPod({ namespace, body: aPod("sneaky", "runc") })
          .catch((err: unknown) => apiserverMessage(err));
        if (
          typeof created === "string" &&
          /not allowed in tenant|not one of the platform's Kata classes/.test(created)
        )
          return created;
        if (typeof created === "string") throw new Error(created);
        await asAdmin.deleteNamespacedPod({ name: "sneaky", namespace });
        throw new Error("admitted: the policies were not loaded yet");
      },
      250,
    );
    return {
      line: `pod ${namespace}/sneaky asking for runtimeClassName=runc → denied by the apiserver:`,
      notes: [message],
      result: "denied by the apiserver",
    };
  });
}

async function legacyQuarantined(
  say: Narrator,
  rt: DemoRuntime,
  names: DemoNames,
  legacy: V1Pod,
): Promise<void> {
  const core = rt.kube.config.makeApiClient(CoreV1Api);
  const net = rt.kube.config.makeApiClient(NetworkingV1Api);
  const namespace = names.tenant;
  await say.step("the legacy runc pod quarantined", 60_000, async (wait) => {
    await wait(`the ${QUARANTINE_LABEL} label on ${namespace}/legacy`, async () =>
      (await core.readNamespacedPod({ name: "legacy", namespace })).metadata?.labels?.[QUARANTINE_LABEL] ===
      "true"
        ? true
        : undefined,
    );
    await net.readNamespacedNetworkPolicy({ name: QUARANTINE_POLICY, namespace });
    await settled(
      wait,
      rt,
      { id: stableId(POD_WATCHER.name, legacy.metadata?.uid ?? ""), source: POD_WATCHER.source },
      "quarantine-runc-pod",
    );
    const web = await core.readNamespacedPod({ name: "web", namespace });
    return {
      line: `pod ${namespace}/legacy (runc, older than the tenant) → ${QUARANTINE_LABEL}=true, NetworkPolicy ${QUARANTINE_POLICY} denies all its traffic`,
      notes: [
        `pod.unsafe by pod-watcher → quarantine-runc-pod → pod.quarantined; ${namespace}/web (${web.spec?.runtimeClassName}) left alone`,
      ],
      result: `${QUARANTINE_LABEL}=true + NetworkPolicy`,
    };
  });
}

/** The whole story; every step throws StepFailed with its reason if it does not come true in time. */
export async function playScenario(say: Narrator, rt: DemoRuntime, names: DemoNames): Promise<void> {
  await nodesJoin(say, rt, names);
  const legacy = await legacyBeforeTenant(say, rt, names);
  await adoptionApproved(say, rt, names);
  await tenantArrives(say, rt, names);
  await asTheTenant(say, rt, names);
  await legacyQuarantined(say, rt, names, legacy);
}
