// Every function the platform ships, built from its environment-driven options; the host picks by name.
import type { AnyFunction } from "../shared/function.ts";
import { cordonTenant, optionsFromEnv as cordonOptions } from "./cordon-tenant/index.ts";
import { labelKataNode, optionsFromEnv as labelOptions } from "./label-kata-node/index.ts";
import { provisionTenant, optionsFromEnv as provisionOptions } from "./provision-tenant/index.ts";
import { quarantineRuncPod, optionsFromEnv as quarantineOptions } from "./quarantine-runc-pod/index.ts";
import { reportKataFailure, optionsFromEnv as overdueOptions } from "./report-kata-failure/index.ts";
import { retireTenant, optionsFromEnv as retireOptions } from "./retire-tenant/index.ts";
import { uncordonTenant, optionsFromEnv as uncordonOptions } from "./uncordon-tenant/index.ts";
import { untaintKataNode } from "./untaint-kata-node/index.ts";

export const FUNCTION_NAMES = [
  "provision-tenant",
  "label-kata-node",
  "quarantine-runc-pod",
  "untaint-kata-node",
  "report-kata-failure",
  "cordon-tenant",
  "uncordon-tenant",
  "retire-tenant",
] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

const BUILDERS: Record<FunctionName, (env: NodeJS.ProcessEnv) => AnyFunction> = {
  "provision-tenant": (env) => provisionTenant(provisionOptions(env)),
  "label-kata-node": (env) => labelKataNode(labelOptions(env)),
  "quarantine-runc-pod": (env) => quarantineRuncPod(quarantineOptions(env)),
  "untaint-kata-node": () => untaintKataNode(),
  "report-kata-failure": (env) => reportKataFailure(overdueOptions(env)),
  "cordon-tenant": (env) => cordonTenant(cordonOptions(env)),
  "uncordon-tenant": (env) => uncordonTenant(uncordonOptions(env)),
  "retire-tenant": (env) => retireTenant(retireOptions(env)),
};

/** The named functions (all when none are named); an unknown name is an error that lists the known ones. */
export function functionsByName(
  names: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): AnyFunction[] {
  const wanted = names.length ? names : FUNCTION_NAMES;
  return wanted.map((name) => {
    const build = BUILDERS[name as FunctionName];
    if (!build) throw new Error(`unknown function "${name}"; known: ${FUNCTION_NAMES.join(", ")}`);
    return build(env);
  });
}
