// quarantine-runc-pod: on pod.unsafe, isolate exactly that pod if it truly runs outside Kata in a tenant namespace.
import type { KubernetesObject, V1Namespace, V1Pod } from "@kubernetes/client-node";
import { defineFunction, type FunctionDefinition, type HandlerContext } from "../../shared/function.ts";
import { classifyKubeError } from "../../shared/errors.ts";
import { apply, MANAGED_BY, readIfExists, recordEvent } from "../../shared/kube-apply.ts";
import { tokenBucket, type RateLimiter } from "./rate-limit.ts";
import { verdict } from "./verdict.ts";

export const FIELD_MANAGER = "icn-quarantine-runc-pod";
export const QUARANTINE_LABEL = "icn.akraino.org/quarantine";
export const QUARANTINE_POLICY = "icn-quarantine";
export const ACTIONS = ["isolate", "evict", "delete"] as const;
export type Action = (typeof ACTIONS)[number];

export interface QuarantineOptions {
  action: Action;
  dryRun: boolean;
  kataClasses: readonly string[];
  /** Evictions and deletions allowed per minute (a storm isolates, but does not empty a cluster). */
  limiter: RateLimiter;
}

export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): QuarantineOptions {
  const action = (env.ICN_QUARANTINE_ACTION ?? "isolate") as Action;
  if (!ACTIONS.includes(action))
    throw new Error(`ICN_QUARANTINE_ACTION must be one of ${ACTIONS.join(", ")}, got "${action}"`);
  const perMinute = Number(env.ICN_QUARANTINE_DESTRUCTIVE_PER_MINUTE ?? 30);
  return {
    action,
    dryRun: env.ICN_QUARANTINE_DRY_RUN === "true",
    kataClasses: (env.ICN_KATA_RUNTIME_CLASSES ?? "kata-qemu,kata-clh").split(","),
    limiter: tokenBucket(perMinute, Math.max(1, Math.ceil(perMinute / 6))),
  };
}

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
      const pod = (await readIfExists(ctx.kube, {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name, namespace },
      })) as V1Pod | undefined;
      const ns = (await readIfExists(ctx.kube, {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: namespace },
      })) as V1Namespace | undefined;
      const decision = verdict(pod, ns, { uid }, options.kataClasses);
      if (!decision.quarantine || !pod) {
        ctx.log.info(
          { namespace, pod: name, reason: decision.quarantine ? "gone" : decision.reason },
          "pod cleared",
        );
        return ctx.emit("pod.cleared", {
          namespace,
          pod: name,
          uid,
          reason: decision.quarantine ? "the pod no longer exists" : decision.reason,
        });
      }
      const dryRun = options.dryRun ? "All" : undefined;
      // A storm repeats itself: a pod already quarantined gets its policy re-ensured, nothing more.
      const already = pod.metadata?.labels?.[QUARANTINE_LABEL] === "true";
      // uid: the apiserver refuses if a new pod took the name. resourceVersion: of two concurrent
      // events for one pod only the first labels it; the other gets a conflict, retries, finds it done.
      const { uid: podUid, resourceVersion } = pod.metadata ?? {};
      const label = {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name, namespace, uid: podUid, resourceVersion, labels: { [QUARANTINE_LABEL]: "true" } },
      };
      await apply(ctx.kube, label, FIELD_MANAGER, { dryRun });
      await apply(ctx.kube, quarantinePolicy(namespace), FIELD_MANAGER, { dryRun });
      let action: Action = already ? "isolate" : options.action;
      if (action !== "isolate" && !options.dryRun && !options.limiter.tryTake()) {
        ctx.log.warn(
          { namespace, pod: name, wanted: action },
          "destructive actions over their rate limit: isolating only",
        );
        action = "isolate";
      }
      if (!options.dryRun && !already) {
        await destroy(ctx, pod, action);
        await recordEvent(ctx.kube, pod, {
          reason: "Quarantined",
          action: "Quarantine",
          note: `runs outside Kata (${pod.spec?.runtimeClassName ?? "no runtime class"}): isolated by NetworkPolicy ${QUARANTINE_POLICY}${action === "isolate" ? "" : `, then ${action === "evict" ? "evicted" : "deleted"}`}`,
          controller: "quarantine-runc-pod",
          type: "Warning",
        });
      }
      ctx.log.info(
        { namespace, pod: name, action, dryRun: options.dryRun },
        options.dryRun ? "would quarantine pod" : "pod quarantined",
      );
      await ctx.emit("pod.quarantined", {
        namespace,
        pod: name,
        uid: pod.metadata?.uid,
        action,
        dryRun: options.dryRun,
        networkPolicy: QUARANTINE_POLICY,
      });
    },
  });
}
