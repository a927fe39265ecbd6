// How label-kata-node is configured: which Kata shims get a RuntimeClass, and each class's pod overhead.
import { quantity } from "../../schemas/fields.ts";
import { envList, envPairs } from "../../shared/env.ts";
import { defaultOverhead, type PodOverhead } from "./runtime-classes.ts";

export interface LabelKataNodeOptions {
  /** A RuntimeClass kata-<shim> per shim (ICN_KATA_SHIMS). */
  shims: readonly string[];
  /** Each shim's `overhead.podFixed`, which quotas and the scheduler add to its pods' requests; kata-deploy's when absent. */
  overhead?: Readonly<Record<string, PodOverhead>>;
}

/** ICN_KATA_OVERHEAD_QEMU for qemu, ICN_KATA_OVERHEAD_QEMU_TDX for qemu-tdx. */
export function overheadVariable(shim: string): string {
  return `ICN_KATA_OVERHEAD_${shim.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
}

/** `cpu=250m,memory=160Mi`: either or both; kata-deploy's figures when unset. */
function overheadFromEnv(env: NodeJS.ProcessEnv, shim: string): PodOverhead {
  const name = overheadVariable(shim);
  const pairs = envPairs(env, name, ["cpu", "memory"]);
  if (!pairs) return defaultOverhead(shim);
  for (const [resource, amount] of Object.entries(pairs)) {
    const parsed = quantity(`${name} ${resource}`).safeParse(amount);
    if (!parsed.success) throw new Error(parsed.error.issues[0]?.message);
  }
  return pairs;
}

export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): LabelKataNodeOptions {
  const shims = envList(env, "ICN_KATA_SHIMS", ["qemu", "clh"]);
  return { shims, overhead: Object.fromEntries(shims.map((shim) => [shim, overheadFromEnv(env, shim)])) };
}
