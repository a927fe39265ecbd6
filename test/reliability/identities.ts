// Who the reliability hosts act as: the functions' own accounts plus the harness admin, as every test suite's tamper policy lists them.
import { optionsFromEnv, provisionTenant } from "../../functions/provision-tenant/index.ts";
import type { AnyFunction } from "../../shared/function.ts";
import { platformIdentities as withPlatform } from "../../shared/platform-identities.ts";
import { kubeConfig } from "../harness/servers.ts";

/**
 * The tamper policy is one cluster-wide object that every provision-tenant rewrites; hosts here act
 * with the admin certificate, so it must stay on the list or this suite would lock out itself and others.
 */
export function platformIdentities(): string[] {
  const admin = kubeConfig().getCurrentUser()?.name ?? "icn-admin";
  return withPlatform([admin]);
}

/** The environment a host process needs to rewrite the tamper policy the same way. */
export function identityEnv(): Record<string, string> {
  return { ICN_PLATFORM_IDENTITIES: platformIdentities().join(",") };
}

export function provisionTenantAsHarness(): AnyFunction {
  return provisionTenant({ ...optionsFromEnv({}), platformIdentities: platformIdentities() });
}
