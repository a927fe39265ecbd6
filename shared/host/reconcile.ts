// Making one JetStream object (a stream, a consumer) what a release needs, or, where a component may not, checking that it is.
import type { Provisioning } from "../config.ts";
import { permanent, type IcnError } from "../errors.ts";

export type Action = "created" | "updated" | "unchanged";

export interface Reconcilable {
  /** How an operator would name it: `stream ICN_EVENTS`, `consumer provision-tenant on ICN_EVENTS`. */
  what: string;
  /** The settings it must have; only these are compared (the server fills in the rest). */
  wanted: object;
  /** Its current settings, or undefined when it does not exist. */
  read(): Promise<object | undefined>;
  create(): Promise<unknown>;
  update(): Promise<unknown>;
}

const HOW_TO_FIX =
  "run `icnctl provision` with the provisioner's NATS credentials (the deploy's icn-provision Job does)";

export function notProvisioned(what: string, problem: string, cause?: unknown): IcnError {
  return permanent("BUS_NOT_PROVISIONED", `${what} ${problem}; ${HOW_TO_FIX}`, cause);
}

/** The wanted settings the current ones lack, as `key: have …, want …` for the operator. */
export function differences(current: object, wanted: object): string[] {
  const have = current as Record<string, unknown>;
  return Object.entries(wanted)
    .filter(([key, value]) => JSON.stringify(have[key]) !== JSON.stringify(value))
    .map(([key, value]) => `${key}: have ${JSON.stringify(have[key])}, want ${JSON.stringify(value)}`);
}

/** Whether a JetStream API error says the stream or consumer asked about does not exist. */
export function isMissing(err: unknown): boolean {
  return /(stream|consumer) not found/i.test(String(err));
}

const isRefused = (err: unknown): boolean => /Permissions Violation/i.test(String(err));

/** A write this user may not make means nobody provisioned the bus for it: say so, not "permission denied". */
async function write(target: Reconcilable, problem: string, change: () => Promise<unknown>): Promise<void> {
  try {
    await change();
  } catch (err) {
    throw isRefused(err)
      ? notProvisioned(target.what, `${problem} and this NATS user may not fix it`, err)
      : err;
  }
}

/**
 * `create`: make it when missing, update it when it differs (a host starting often, KEDA scaling it
 * from zero, reads and changes nothing in steady state). `bind`: never write; missing or different
 * is an error that says how to provision.
 */
export async function reconcile(target: Reconcilable, mode: Provisioning = "create"): Promise<Action> {
  const current = await target.read();
  if (!current) {
    if (mode === "bind") throw notProvisioned(target.what, "does not exist");
    await write(target, "does not exist", () => target.create());
    return "created";
  }
  const changed = differences(current, target.wanted);
  if (changed.length === 0) return "unchanged";
  const problem = `differs from what this release needs (${changed.join("; ")})`;
  if (mode === "bind") throw notProvisioned(target.what, problem);
  await write(target, problem, () => target.update());
  return "updated";
}

/** The read of `reconcile`: undefined for a missing object, every other failure thrown. */
export async function readIfPresent<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}
