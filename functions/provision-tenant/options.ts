// How provision-tenant is configured: who the platform is, which classes are Kata, how far clocks may drift, who may change whose tenant.
import { envString } from "../../shared/env.ts";
import { kataRuntimeFromEnv, type KataRuntime } from "../../shared/kata.ts";
import { platformIdentitiesFromEnv } from "../../shared/platform-identities.ts";
import { tenantChangeOptionsFromEnv, type TenantChangeOptions } from "../../shared/tenant-record.ts";

export interface ProvisionTenantOptions extends TenantChangeOptions {
  /** Users allowed past tamper protection: the functions' own identities. */
  platformIdentities: readonly string[];
  /** The classes tenants choose among, and the handlers that make a class Kata. */
  kata: KataRuntime;
  /** Set on pods of a tenant whose request names no classes (when it is a verified Kata class). */
  defaultRuntimeClass: string;
}

export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): ProvisionTenantOptions {
  const kata = kataRuntimeFromEnv(env);
  return {
    ...tenantChangeOptionsFromEnv(env),
    platformIdentities: platformIdentitiesFromEnv(env),
    kata,
    defaultRuntimeClass: envString(env, "ICN_DEFAULT_RUNTIME_CLASS", kata.classes[0] ?? "kata-qemu"),
  };
}
