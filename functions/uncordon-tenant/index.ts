// uncordon-tenant: on tenant.uncordon-requested, lift a tenant's cordon: its namespaces admit pods again.
import { defineFunction, type FunctionDefinition } from "../../shared/function.ts";
import {
  rejectedTenant,
  tenantChangeOptionsFromEnv,
  type TenantChangeOptions,
} from "../../shared/tenant-record.ts";
import { setTenantState, stateChangeOf } from "../../shared/tenant-state.ts";

export { tenantChangeOptionsFromEnv as optionsFromEnv } from "../../shared/tenant-record.ts";
export const FIELD_MANAGER = "icn-uncordon-tenant";

export function uncordonTenant(
  options: TenantChangeOptions = tenantChangeOptionsFromEnv(),
): FunctionDefinition<"tenant.uncordon-requested"> {
  return defineFunction({
    name: "uncordon-tenant",
    on: "tenant.uncordon-requested",
    emits: ["tenant.uncordoned", "tenant.rejected"],
    rejects: "tenant.rejected",
    rejection: rejectedTenant,
    concurrency: 4,
    handle: async (event, ctx) => {
      const { tenant } = event.data;
      const change = stateChangeOf(event, ctx.sequence);
      const fieldManager = FIELD_MANAGER;
      const { namespaces } = await setTenantState(ctx.kube, change, "active", { ...options, fieldManager });
      ctx.log.info({ tenant, namespaces }, "tenant uncordoned");
      await ctx.emit("tenant.uncordoned", { tenant, namespaces });
    },
  });
}
