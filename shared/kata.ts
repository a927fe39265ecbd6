// Which runtime classes are Kata: a class counts by its RuntimeClass's handler, never by its name.
import type { V1RuntimeClass } from "@kubernetes/client-node";
import { envList } from "./env.ts";
import { readIfExists } from "./kube-apply.ts";
import type { Kube } from "./kube.ts";

/** The platform's Kata runtime: the classes tenants may choose from, and the handlers that make a class Kata. */
export interface KataRuntime {
  /** RuntimeClass names the platform offers tenants (ICN_KATA_RUNTIME_CLASSES). */
  classes: readonly string[];
  /** CRI handlers that start a Kata VM (ICN_KATA_HANDLERS); kata-deploy names them kata-<shim>. */
  handlers: readonly string[];
}

export const DEFAULT_KATA_CLASSES = ["kata-qemu", "kata-clh"] as const;
// kata-deploy's shims; a class whose handler is none of these (runc, crun, ...) shares the node's kernel.
export const DEFAULT_KATA_HANDLERS = [
  "kata-qemu",
  "kata-clh",
  "kata-fc",
  "kata-dragonball",
  "kata-stratovirt",
  "kata-qemu-tdx",
  "kata-qemu-snp",
  "kata-qemu-sev",
  "kata-qemu-se",
  "kata-qemu-coco-dev",
  "kata-qemu-nvidia-gpu",
] as const;

export function kataRuntimeFromEnv(env: NodeJS.ProcessEnv = process.env): KataRuntime {
  return {
    classes: envList(env, "ICN_KATA_RUNTIME_CLASSES", DEFAULT_KATA_CLASSES),
    handlers: envList(env, "ICN_KATA_HANDLERS", DEFAULT_KATA_HANDLERS),
  };
}

export function isKataHandler(handler: string | undefined, runtime: KataRuntime): boolean {
  return handler !== undefined && runtime.handlers.includes(handler);
}

/** Reads the RuntimeClass; undefined when it does not exist. */
export async function readRuntimeClass(kube: Kube, name: string): Promise<V1RuntimeClass | undefined> {
  return readIfExists<V1RuntimeClass>(kube, {
    apiVersion: "node.k8s.io/v1",
    kind: "RuntimeClass",
    metadata: { name },
  } as V1RuntimeClass);
}

/** Why a class is not Kata (missing, or its handler is not a Kata handler), or undefined when it is. */
export function notKataReason(
  name: string | undefined,
  runtimeClass: V1RuntimeClass | undefined,
  runtime: KataRuntime,
): string | undefined {
  if (!name) return "no runtime class: the pod runs under the node's default runtime (runc)";
  if (!runtimeClass) return `runtime class ${name} does not exist`;
  if (!isKataHandler(runtimeClass.handler, runtime))
    return `runtime class ${name} has handler ${runtimeClass.handler}, which is not a Kata handler (${runtime.handlers.join(", ")})`;
  return undefined;
}
