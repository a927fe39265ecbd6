// quarantine-runc-pod: on pod.unsafe, isolate exactly that pod if it truly runs outside Kata in a tenant namespace.
import type { V1Namespace, V1Pod } from "@kubernetes/client-node";
import type { EventData } from "../../schemas/events.ts";
import { defineFunction, type FunctionDefinition, type HandlerContext } from "../../shared/function.ts";
import { readRuntimeClass } from "../../shared/kata.ts";
import { readIfExists, recordEvent } from "../../shared/kube-apply.ts";
import type { Kube } from "../../shared/kube.ts";
import { destroy, isolate, QUARANTINE_POLICY } from "./actions.ts";
import { QuarantineClaims } from "./claims.ts";
import { optionsFromEnv, type Action, type QuarantineOptions } from "./options.ts";
import { verdict, type PodFacts } from "./verdict.ts";

export { FIELD_MANAGER, QUARANTINE_POLICY, quarantinePolicy } from "./actions.ts";
export { QuarantineClaims } from "./claims.ts";
export { ACTIONS, optionsFromEnv, type Action, type QuarantineOptions } from "./options.ts";

/** The pod, its namespace, and its RuntimeClass (read only when the pod names one). */
async function readFacts(kube: Kube, namespace: string, name: string): Promise<PodFacts> {
  const pod = await readIfExists<V1Pod>(kube, {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace },
  });
  const ns = await readIfExists<V1Namespace>(kube, {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: namespace },
  });
  const className = pod?.spec?.runtimeClassName;
  return {
    pod,
    namespace: ns,
    runtimeClass: className ? await readRuntimeClass(kube, className) : undefined,
  };
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

function quarantineNote(pod: V1Pod, action: Action): string {
  const then = action === "isolate" ? "" : `, then ${action === "evict" ? "evicted" : "deleted"}`;
  return `runs outside Kata (${pod.spec?.runtimeClassName ?? "no runtime class"}): isolated by NetworkPolicy ${QUARANTINE_POLICY}${then}`;
}

/**
 * Isolates on every delivery (idempotent), whatever labels the pod came with. Only the holder of the
 * pod's claim (in the platform namespace) records the Event and evicts or deletes, so a pod gets one
 * Event and at most one destructive action however often, and however many hosts, report it.
 */
async function quarantine(
  ctx: HandlerContext,
  holder: string,
  pod: V1Pod,
  options: QuarantineOptions & { claims: QuarantineClaims },
): Promise<Action> {
  await isolate(ctx.kube, pod, options.dryRun);
  if (options.dryRun) return chooseAction(ctx, pod, options);
  const token = await options.claims.take(ctx, pod, { holder, redelivered: ctx.deliveries > 1 });
  if (!token) return "isolate";
  const action = chooseAction(ctx, pod, options);
  // Named after the claim's token (kept where tenants cannot read): the holder's redelivery records it
  // once, and no tenant can plant it in advance.
  await recordEvent(ctx.kube, pod, {
    reason: "Quarantined",
    action: "Quarantine",
    note: quarantineNote(pod, action),
    controller: "quarantine-runc-pod",
    type: "Warning",
    name: `${(pod.metadata?.name ?? "pod").slice(0, 200)}.quarantined-${token}`,
  });
  await destroy(ctx.kube, pod, action);
  return action;
}

function quarantined(pod: V1Pod, action: Action, dryRun: boolean): EventData<"pod.quarantined"> {
  const { namespace = "", name = "", uid } = pod.metadata ?? {};
  return { namespace, pod: name, uid, action, dryRun, networkPolicy: QUARANTINE_POLICY };
}

export function quarantineRuncPod(
  options: QuarantineOptions = optionsFromEnv(),
): FunctionDefinition<"pod.unsafe"> {
  const settings = { ...options, claims: options.claims ?? new QuarantineClaims() };
  return defineFunction({
    name: "quarantine-runc-pod",
    on: "pod.unsafe",
    emits: ["pod.quarantined", "pod.cleared"],
    concurrency: 8,
    handle: async (event, ctx) => {
      const { namespace, pod: name, uid } = event.data;
      const decision = verdict(await readFacts(ctx.kube, namespace, name), { uid }, options.kata);
      if (!decision.quarantine) {
        ctx.log.info({ namespace, pod: name, reason: decision.reason }, "pod cleared");
        return ctx.emit("pod.cleared", { namespace, pod: name, uid, reason: decision.reason });
      }
      const action = await quarantine(ctx, `${event.source} ${event.id}`, decision.pod, settings);
      ctx.log.info(
        { namespace, pod: name, action, dryRun: options.dryRun },
        options.dryRun ? "would quarantine pod" : "pod quarantined",
      );
      await ctx.emit("pod.quarantined", quarantined(decision.pod, action, options.dryRun));
    },
  });
}
