// A node's Kata install as the functions and the node watcher read it: kata-deploy's label, the platform's startup taint, its age.
import type { V1Node, V1Taint } from "@kubernetes/client-node";
import { KATA_NOT_READY_TAINT, KATA_RUNTIME_LABEL, KATA_TAINTED_AT_ANNOTATION } from "../schemas/names.ts";
import { envInt } from "./env.ts";
import { classifyKubeError, permanent } from "./errors.ts";
import { readIfExists } from "./kube-apply.ts";
import type { Kube } from "./kube.ts";

/** How long kata-deploy may take on a tainted node before the platform calls the install failed. */
export const DEFAULT_KATA_INSTALL_DEADLINE_MS = 10 * 60_000;

export function kataInstallDeadlineFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  return envInt(env, "ICN_KATA_INSTALL_DEADLINE_MS", DEFAULT_KATA_INSTALL_DEADLINE_MS);
}

export const NOT_READY_TAINT: Readonly<V1Taint> = { key: KATA_NOT_READY_TAINT, effect: "NoSchedule" };

export interface KataInstall {
  /** kata-deploy labelled the node katacontainers.io/kata-runtime=true. */
  ready: boolean;
  /** The node carries the platform's startup taint. */
  tainted: boolean;
  /** When the taint was put there (ms since the epoch); undefined when the annotation is missing or unreadable. */
  taintedAt?: number;
}

const isOurs = (taint: V1Taint): boolean => taint.key === KATA_NOT_READY_TAINT;

export function kataInstall(node: V1Node): KataInstall {
  const stamp = node.metadata?.annotations?.[KATA_TAINTED_AT_ANNOTATION];
  const at = stamp ? Date.parse(stamp) : NaN;
  return {
    ready: node.metadata?.labels?.[KATA_RUNTIME_LABEL] === "true",
    tainted: (node.spec?.taints ?? []).some(isOurs),
    ...(Number.isNaN(at) ? {} : { taintedAt: at }),
  };
}

/** When a tainted node that is still not ready counts as overdue; undefined when nothing is awaited or its start is unknown. */
export function overdueAt(install: KataInstall, deadlineMs: number): number | undefined {
  if (!install.tainted || install.ready || install.taintedAt === undefined) return undefined;
  return install.taintedAt + deadlineMs;
}

/**
 * A JSON merge patch is all or nothing for a list: `spec.taints` is replaced whole, so the patch carries
 * every other manager's taint as read, and the resourceVersion read with them. The apiserver refuses it
 * (409, retried) if the node changed meanwhile, so no taint written in between is ever dropped.
 */
export interface NodePatch {
  metadata: { resourceVersion: string; annotations: Record<string, string | null> };
  spec: { taints: V1Taint[] | null };
}

function taintPatch(node: V1Node, taints: V1Taint[], stamp: string | null): NodePatch {
  return {
    metadata: {
      resourceVersion: node.metadata?.resourceVersion ?? "",
      annotations: { [KATA_TAINTED_AT_ANNOTATION]: stamp },
    },
    spec: { taints: taints.length ? taints : null },
  };
}

/** Adds the startup taint and its time, or undefined when the node already carries it (a replay). */
export function addNotReadyTaint(node: V1Node, now: Date): NodePatch | undefined {
  const taints = node.spec?.taints ?? [];
  if (taints.some(isOurs)) return undefined;
  return taintPatch(node, [...taints, { ...NOT_READY_TAINT }], now.toISOString());
}

/** Removes the startup taint and its time, leaving every other taint as it is; undefined when there is none. */
export function removeNotReadyTaint(node: V1Node): NodePatch | undefined {
  const taints = node.spec?.taints ?? [];
  if (!taints.some(isOurs)) return undefined;
  return taintPatch(
    node,
    taints.filter((t) => !isOurs(t)),
    null,
  );
}

export async function patchNode(
  kube: Kube,
  node: V1Node,
  patch: NodePatch,
  fieldManager: string,
): Promise<V1Node> {
  const name = node.metadata?.name ?? "";
  try {
    return await kube.objects.mergePatch<V1Node>(
      { apiVersion: "v1", kind: "Node", metadata: { name } },
      patch,
      fieldManager,
    );
  } catch (err) {
    // 409: the node changed since it was read; the retry reads it again.
    throw classifyKubeError(err, `patch the taints of Node/${name}`);
  }
}

/** Re-reads the node an event names; NOT_FOUND when it is gone or was replaced (another uid). */
export async function readNode(kube: Kube, name: string, uid?: string): Promise<V1Node> {
  const node = await readIfExists<V1Node>(kube, { apiVersion: "v1", kind: "Node", metadata: { name } });
  if (!node) throw permanent("NOT_FOUND", `node ${name} does not exist`);
  if (uid && node.metadata?.uid !== uid)
    throw permanent("NOT_FOUND", `node ${name} was replaced (uid ${node.metadata?.uid}, event names ${uid})`);
  return node;
}
