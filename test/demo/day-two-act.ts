// The demo's day 2: the tenant's quota grows, it is cordoned and uncordoned, then it leaves; each step checked at the apiserver.
import { CoreV1Api } from "@kubernetes/client-node";
import { impersonating } from "../harness/servers.ts";
import { settled } from "./outcomes.ts";
import type { DemoRuntime } from "./runtime.ts";
import { aPod, publishTenantEvent, requestTenant, type DemoNames } from "./scenario.ts";
import { apiserverMessage, type Narrator } from "./steps.ts";

const RAISED_PODS = 80;

async function quotaRaised(say: Narrator, rt: DemoRuntime, names: DemoNames): Promise<void> {
  const core = rt.kube.config.makeApiClient(CoreV1Api);
  await say.step(`tenant ${names.tenant}'s quota raised`, 60_000, async (wait) => {
    await settled(
      wait,
      rt,
      await requestTenant(rt, names, { quota: { pods: RAISED_PODS } }),
      "provision-tenant",
    );
    const quotas = await core.listNamespacedResourceQuota({ namespace: names.tenant });
    const hard = quotas.items.map((q) => q.spec?.hard?.pods);
    if (!hard.includes(String(RAISED_PODS))) throw new Error(`ResourceQuota pods is ${hard.join(", ")}`);
    return {
      line: `tenant.requested again with quota.pods=${RAISED_PODS} → the same tenant reconciled: ResourceQuota pods ${RAISED_PODS} in ${names.tenant}`,
      notes: ["a re-request is a reconcile: what it no longer names is removed, what it changes is applied"],
      result: `quota pods ${RAISED_PODS}`,
    };
  });
}

async function cordonedAndBack(say: Narrator, rt: DemoRuntime, names: DemoNames): Promise<void> {
  const asAdmin = impersonating(rt.kube.config, names.admin).makeApiClient(CoreV1Api);
  const namespace = names.tenant;
  const reason = "billing review";
  await say.step(`tenant ${names.tenant} cordoned`, 60_000, async (wait) => {
    await settled(
      wait,
      rt,
      await publishTenantEvent(rt, "tenant.cordon-requested", { tenant: names.tenant, reason }),
      "cordon-tenant",
    );
    const refusal = await asAdmin
      .createNamespacedPod({ namespace, body: aPod("during-cordon") })
      .then(() => undefined, apiserverMessage);
    if (!refusal?.includes("cordoned"))
      throw new Error(`the pod was ${refusal ? `refused: ${refusal}` : "admitted"}`);
    return {
      line: `tenant.cordon-requested → ${names.admin}'s new pod refused by the apiserver; running pods keep running:`,
      notes: [refusal],
      result: "new pods refused",
    };
  });
  await say.step(`tenant ${names.tenant} uncordoned`, 60_000, async (wait) => {
    await settled(
      wait,
      rt,
      await publishTenantEvent(rt, "tenant.uncordon-requested", { tenant: names.tenant }),
      "uncordon-tenant",
    );
    const pod = await asAdmin.createNamespacedPod({ namespace, body: aPod("after-cordon") });
    return {
      line: `tenant.uncordon-requested → ${names.admin}'s pod admitted again (runtimeClassName=${pod.spec?.runtimeClassName})`,
      result: "pods admitted",
    };
  });
}

async function retired(say: Narrator, rt: DemoRuntime, names: DemoNames): Promise<void> {
  const core = rt.kube.config.makeApiClient(CoreV1Api);
  await say.step(`tenant ${names.tenant} retired`, 120_000, async (wait) => {
    const event = await publishTenantEvent(rt, "tenant.retire-requested", {
      tenant: names.tenant,
      reason: "contract ended",
      evictionDeadlineSeconds: 10,
    });
    await settled(wait, rt, event, "retire-tenant");
    await wait(`namespace ${names.tenant} to be gone`, async () =>
      core.readNamespace({ name: names.tenant }).then(
        () => undefined,
        (err: unknown) => ((err as { code?: number }).code === 404 ? true : undefined),
      ),
    );
    return {
      line: `tenant.retire-requested → cordoned, pods evicted, namespace ${names.tenant} deleted, bindings and parameters removed last`,
      notes: ["its record stays as a tombstone: replaying an older tenant.requested cannot bring it back"],
      result: "tenant.retired, namespace gone",
    };
  });
}

export async function dayTwo(say: Narrator, rt: DemoRuntime, names: DemoNames): Promise<void> {
  await quotaRaised(say, rt, names);
  await cordonedAndBack(say, rt, names);
  await retired(say, rt, names);
}
