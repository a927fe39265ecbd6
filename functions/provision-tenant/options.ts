// How provision-tenant is configured: who the platform is, which classes are Kata, how far clocks may drift, who may change whose tenant.
import { PLATFORM_NAMESPACE } from "../../schemas/names.ts";
import { maxClockSkewFromEnv } from "../../shared/clock.ts";
import { envList } from "../../shared/env.ts";
import { kataRuntimeFromEnv, type KataRuntime } from "../../shared/kata.ts";
import { loadTenantGrants, type TenantGrant } from "../../shared/tenant-grants.ts";

export interface ProvisionTenantOptions {
  /** Users allowed past tamper protection: the functions' own identities. */
  platformIdentities: readonly string[];
  /** The classes tenants choose among, and the handlers that make a class Kata. */
  kata: KataRuntime;
  /** Set on pods of a tenant whose request names no classes (when it is a verified Kata class). */
  defaultRuntimeClass: string;
  /** How far ahead of this clock an event's time may be. */
  maxClockSkewMs: number;
  /** Sources the operator lets change tenants that another source created (the ingress's `tenants` patterns). */
  tenantGrants: readonly TenantGrant[];
}

export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): ProvisionTenantOptions {
  const kata = kataRuntimeFromEnv(env);
  return {
    platformIdentities: envList(
      env,
      "ICN_PLATFORM_IDENTITIES",
      ["provision-tenant", "label-kata-node", "quarantine-runc-pod"].map(
        (fn) => `system:serviceaccount:${PLATFORM_NAMESPACE}:${fn}`,
      ),
    ),
    kata,
    defaultRuntimeClass: env.ICN_DEFAULT_RUNTIME_CLASS?.trim() || kata.classes[0] || "kata-qemu",
    maxClockSkewMs: maxClockSkewFromEnv(env),
    tenantGrants: env.ICN_INGRESS_SOURCES ? loadTenantGrants(env.ICN_INGRESS_SOURCES) : [],
  };
}
