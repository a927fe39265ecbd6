// What the demo plays, step by step, against the real apiserver: nodes join, a tenant arrives, runc is shut out.
import { CoreV1Api, NetworkingV1Api, type KubernetesObject, type V1Pod } from "@kubernetes/client-node";
import { jetstream } from "@nats-io/jetstream";
import { QUARANTINE_POLICY } from "../../functions/quarantine-runc-pod/index.ts";
import { ADOPT_LABEL, KATA_RUNTIME_LABEL, QUARANTINE_LABEL } from "../../schemas/names.ts";
import { POD_WATCHER } from "../../shared/sources/index.ts";
import { newEvent, publishEvent, stableId } from "../../shared/events.ts";
import { apply } from "../../shared/kube-apply.ts";
import { CPU_FEATURES, type CpuFeature } from "../harness/nodes.ts";
import { impersonating } from "../harness/servers.ts";
import { dayTwo } from "./day-two-act.ts";
import { describeNode, kataInstalled, nodesJoin, runningPod } from "./nodes-act.ts";
import { settled, settledOutcome } from "./outcomes.ts";
import type { DemoRuntime } from "./runtime.ts";
import { apiserverMessage, type Narrator } from "./steps.ts";

export interface DemoNames {
  run: string;
  tenant: string;
  admin: string;
  nodes: { name: string; cpu: string; cpuFeatures: CpuFeature[]; labels: Record<string, string> }[];
}

export function demoNames(run: string): DemoNames {
  const amd64 = { "kubernetes.io/arch": "amd64" };
  return {
    run,
    tenant: `acme-${run}`,
    admin: "alice",
    nodes: [
      { name: `intel-1-${run}`, cpu: "Intel, VMX", cpuFeatures: [CPU_FEATURES.intelVmx], labels: amd64 },
      { name: `amd-1-${run}`, cpu: "AMD, SVM", cpuFeatures: [CPU_FEATURES.amdSvm], labels: amd64 },
      { name: `old-1-${run}`, cpu: "no VMX/SVM", cpuFeatures: [], labels: amd64 },
    ],
  };
}

export const aPod = (name: string, runtimeClassName?: string): V1Pod => ({
  metadata: { name },
  spec: { runtimeClassName, containers: [{ name: "app", image: "registry.example/app:1" }] },
});

async function legacyBeforeTenant(say: Narrator, rt: DemoRuntime, names: DemoNames): Promise<V1Pod> {
  const core = rt.kube.config.makeApiClient(CoreV1Api);
  let legacy: V1Pod = {};
  await say.step("a runc pod before the tenant exists", 30_000, async (wait) => {
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
    await core.createNamespacedPod({ namespace: names.tenant, body: aPod("legacy", "runc") });
    const { pod, node } = await runningPod(wait, core, names.tenant, "legacy");
    legacy = pod;
    return {
      line: `pod ${names.tenant}/legacy runs under runc on node ${describeNode(node)}; ${names.tenant} is nobody's tenant yet`,
      notes: ["the Kata nodes are tainted until Kata is installed: nothing lands there before"],
      result: `legacy pod (runc) Running on ${node.metadata?.name}`,
    };
  });
  return legacy;
}

/** Every tenant event of the demo comes from one source: the tenant belongs to it, so only it may change the tenant. */
export const DEMO_SOURCE = "urn:icn-secure-tenancy/demo";

export async function publishTenantEvent(
  rt: DemoRuntime,
  name:
    "tenant.requested" | "tenant.cordon-requested" | "tenant.uncordon-requested" | "tenant.retire-requested",
  data: Record<string, unknown>,
): Promise<{ id: string; source: string }> {
  const event = newEvent({ name, source: DEMO_SOURCE, data });
  await publishEvent(jetstream(rt.nc), rt.config.prefix, event);
  return event;
}

export function requestTenant(
  rt: DemoRuntime,
  names: DemoNames,
  extra: Record<string, unknown> = {},
): Promise<{ id: string; source: string }> {
  return publishTenantEvent(rt, "tenant.requested", {
    tenant: names.tenant,
    admins: [{ kind: "User", name: names.admin }],
    ...extra,
  });
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
    const { node } = await runningPod(wait, rt.kube.config.makeApiClient(CoreV1Api), namespace, "web");
    if (node.metadata?.labels?.[KATA_RUNTIME_LABEL] !== "true")
      throw new Error(`pod web runs on ${describeNode(node)}, where Kata is not installed`);
    return {
      line: `pod ${namespace}/web created as ${names.admin} with no runtimeClassName → admitted as runtimeClassName=${pod.spec?.runtimeClassName}, Running on node ${describeNode(node)}`,
      notes: ["the RuntimeClass sends it only to nodes kata-deploy marked ready"],
      result: `${pod.spec?.runtimeClassName}, Running on ${node.metadata?.name}`,
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
  await kataInstalled(say, rt, names);
  await adoptionApproved(say, rt, names);
  await tenantArrives(say, rt, names);
  await asTheTenant(say, rt, names);
  await legacyQuarantined(say, rt, names, legacy);
  await dayTwo(say, rt, names);
}
