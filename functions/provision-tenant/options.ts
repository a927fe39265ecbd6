// How provision-tenant is configured: who the platform is, which classes are Kata, how far clocks may drift, who may change whose tenant.
import { maxClockSkewFromEnv } from "../../shared/clock.ts";
import { envString } from "../../shared/env.ts";
import { kataRuntimeFromEnv, type KataRuntime } from "../../shared/kata.ts";
import { platformIdentitiesFromEnv } from "../../shared/platform-identities.ts";
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
  const sources = envString(env, "ICN_INGRESS_SOURCES");
  return {
    platformIdentities: platformIdentitiesFromEnv(env),
    kata,
    defaultRuntimeClass: envString(env, "ICN_DEFAULT_RUNTIME_CLASS", kata.classes[0] ?? "kata-qemu"),
    maxClockSkewMs: maxClockSkewFromEnv(env),
    tenantGrants: sources ? loadTenantGrants(sources) : [],
  };
}
