// quarantine-runc-pod: on pod.unsafe, isolate exactly that pod if it truly runs outside Kata in a tenant namespace.
import type { KubernetesObject, V1Namespace, V1Pod } from "@kubernetes/client-node";
import { QUARANTINE_LABEL } from "../../schemas/names.ts";
import { classifyKubeError } from "../../shared/errors.ts";
import { defineFunction, type FunctionDefinition, type HandlerContext } from "../../shared/function.ts";
import { apply, MANAGED_BY, readIfExists, recordEvent } from "../../shared/kube-apply.ts";
import { optionsFromEnv, type Action, type QuarantineOptions } from "./options.ts";
import { verdict } from "./verdict.ts";

export { ACTIONS, optionsFromEnv, type Action, type QuarantineOptions } from "./options.ts";

export const FIELD_MANAGER = "icn-quarantine-runc-pod";
export const QUARANTINE_POLICY = "icn-quarantine";

/** Denies all traffic to and from quarantined pods; the tenant isolation policy skips them. */
export function quarantinePolicy(namespace: string): KubernetesObject {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: QUARANTINE_POLICY, namespace, labels: { ...MANAGED_BY } },
    spec: {
      podSelector: { matchLabels: { [QUARANTINE_LABEL]: "true" } },
      policyTypes: ["Ingress", "Egress"],
    },
  } as KubernetesObject;
}

/** The label, then the policy. Server-side dry-run when asked: the apiserver checks, nothing changes. */
async function isolate(ctx: HandlerContext, pod: V1Pod, dryRun: boolean): Promise<void> {
  // uid: refused if a new pod took the name. resourceVersion: of two concurrent events for one
  // pod only the first labels it; the other gets a conflict, retries, and finds it done.
  const { name, namespace = "", uid, resourceVersion } = pod.metadata ?? {};
  const label = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace, uid, resourceVersion, labels: { [QUARANTINE_LABEL]: "true" } },
  };
  const mode = { dryRun: dryRun ? ("All" as const) : undefined };
  await apply(ctx.kube, label, FIELD_MANAGER, mode);
  await apply(ctx.kube, quarantinePolicy(namespace), FIELD_MANAGER, mode);
}

async function destroy(ctx: HandlerContext, pod: V1Pod, action: Action): Promise<void> {
  const { name = "", namespace = "", uid } = pod.metadata ?? {};
  try {
    if (action === "evict")
      await ctx.kube.core.createNamespacedPodEviction({
        name,
        namespace,
        body: { metadata: { name, namespace }, deleteOptions: { preconditions: { uid } } },
      });
    if (action === "delete")
      await ctx.kube.core.deleteNamespacedPod({ name, namespace, body: { preconditions: { uid } } });
  } catch (err) {
    if ((err as { code?: number }).code === 404) return; // already gone: the goal is reached
    throw classifyKubeError(err, `${action} pod ${namespace}/${name}`);
  }
}

/** Dry-run reports the configured action; evictions and deletions respect the rate limit. */
function chooseAction(ctx: HandlerContext, pod: V1Pod, options: QuarantineOptions): Action {
  if (options.dryRun || options.action === "isolate") return options.action;
  if (options.limiter.tryTake()) return options.action;
  ctx.log.warn(
    { pod: pod.metadata?.name, wanted: options.action },
    "destructive actions over their rate limit: isolating only",
  );
  return "isolate";
}

/** One Quarantined Event per pod: named after the pod's uid, so recording it again changes nothing. */
function quarantineEventName(pod: V1Pod): string {
  return `${(pod.metadata?.name ?? "pod").slice(0, 200)}.quarantined-${pod.metadata?.uid ?? ""}`;
}

/**
 * Isolates on every delivery (idempotent). A first delivery that finds the pod labelled leaves it at
 * that; a redelivery goes on, since its own earlier attempt may have died after the label. The Event is
 * the claim: only the delivery that records it evicts or deletes, so a pod gets one Event and at most
 * one destructive action however often, and however many hosts, report it.
 */
async function quarantine(ctx: HandlerContext, pod: V1Pod, options: QuarantineOptions): Promise<Action> {
  const labelled = pod.metadata?.labels?.[QUARANTINE_LABEL] === "true";
  await isolate(ctx, pod, options.dryRun);
  if (options.dryRun) return chooseAction(ctx, pod, options);
  if (labelled && ctx.deliveries === 1) return "isolate";
  const action = chooseAction(ctx, pod, options);
  const then = action === "isolate" ? "" : `, then ${action === "evict" ? "evicted" : "deleted"}`;
  const note = `runs outside Kata (${pod.spec?.runtimeClassName ?? "no runtime class"}): isolated by NetworkPolicy ${QUARANTINE_POLICY}${then}`;
  const claimed = await recordEvent(ctx.kube, pod, {
    reason: "Quarantined",
    action: "Quarantine",
    note,
    controller: "quarantine-runc-pod",
    type: "Warning",
    name: quarantineEventName(pod),
  });
  if (!claimed) return "isolate";
  await destroy(ctx, pod, action);
  return action;
}

export function quarantineRuncPod(
  options: QuarantineOptions = optionsFromEnv(),
): FunctionDefinition<"pod.unsafe"> {
  return defineFunction({
    name: "quarantine-runc-pod",
    on: "pod.unsafe",
    emits: ["pod.quarantined", "pod.cleared"],
    concurrency: 8,
    handle: async (event, ctx) => {
      const { namespace, pod: name, uid } = event.data;
      const pod = await readIfExists<V1Pod>(ctx.kube, {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name, namespace },
      });
      const ns = await readIfExists<V1Namespace>(ctx.kube, {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: namespace },
      });
      const decision = verdict(pod, ns, { uid }, options.kataClasses);
      if (!decision.quarantine) {
        ctx.log.info({ namespace, pod: name, reason: decision.reason }, "pod cleared");
        return ctx.emit("pod.cleared", { namespace, pod: name, uid, reason: decision.reason });
      }
      const action = await quarantine(ctx, decision.pod, options);
      ctx.log.info(
        { namespace, pod: name, action, dryRun: options.dryRun },
        options.dryRun ? "would quarantine pod" : "pod quarantined",
      );
      await ctx.emit("pod.quarantined", {
        namespace,
        pod: name,
        uid: decision.pod.metadata?.uid,
        action,
        dryRun: options.dryRun,
        networkPolicy: QUARANTINE_POLICY,
      });
    },
  });
}
