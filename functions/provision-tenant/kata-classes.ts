// A tenant chooses among the platform's Kata classes, and a class counts as Kata by its RuntimeClass's handler.
import { permanent } from "../../shared/errors.ts";
import { notKataReason, readRuntimeClass, type KataRuntime } from "../../shared/kata.ts";
import type { Kube } from "../../shared/kube.ts";
import type { RuntimeClasses } from "./admission-policies.ts";
import type { ProvisionTenantOptions } from "./options.ts";
import type { TenantRequest } from "./tenant-objects.ts";

/** The platform's classes whose RuntimeClass exists with a Kata handler, and why each other one does not count. */
export async function verifyKataClasses(
  kube: Kube,
  runtime: KataRuntime,
): Promise<{ kata: string[]; refused: Map<string, string> }> {
  const kata: string[] = [];
  const refused = new Map<string, string>();
  for (const name of runtime.classes) {
    const reason = notKataReason(name, await readRuntimeClass(kube, name), runtime);
    if (reason) refused.set(name, reason);
    else kata.push(name);
  }
  return { kata, refused };
}

/** Refuses a request naming any class that is not a verified Kata class of the platform. */
export function checkRequestedClasses(
  requested: RuntimeClasses,
  verified: { kata: readonly string[]; refused: ReadonlyMap<string, string> },
): void {
  const choices = verified.kata.length
    ? verified.kata.join(", ")
    : "none: no Kata RuntimeClass is installed yet";
  // The default too: with no verified class at all, allowed is empty and the default is what is refused.
  for (const name of new Set([...requested.allowed, requested.default])) {
    if (verified.kata.includes(name)) continue;
    const why =
      verified.refused.get(name) ?? `runtime class ${name} is not one of the platform's Kata classes`;
    throw permanent("NOT_KATA_CLASS", `${why}; a tenant's pods run in Kata VMs: choose among ${choices}`);
  }
}

/** The request's classes, or the platform's verified Kata classes; refused unless every one is verified Kata. */
export async function runtimeClassesFor(
  kube: Kube,
  request: TenantRequest,
  options: ProvisionTenantOptions,
): Promise<{ classes: RuntimeClasses; kataClasses: string[] }> {
  const verified = await verifyKataClasses(kube, options.kata);
  const preferred = verified.kata.includes(options.defaultRuntimeClass)
    ? options.defaultRuntimeClass
    : verified.kata[0];
  const classes = request.runtimeClasses ?? {
    allowed: verified.kata,
    default: preferred ?? options.defaultRuntimeClass,
  };
  checkRequestedClasses(classes, verified);
  return { classes, kataClasses: verified.kata };
}
