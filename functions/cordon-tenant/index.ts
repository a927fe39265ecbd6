// cordon-tenant: on tenant.cordon-requested, freeze a tenant: the apiserver refuses its new pods and pod changes, saying why.
import { defineFunction, type FunctionDefinition } from "../../shared/function.ts";
import {
  rejectedTenant,
  tenantChangeOptionsFromEnv,
  type TenantChangeOptions,
} from "../../shared/tenant-record.ts";
import { setTenantState, stateChangeOf } from "../../shared/tenant-state.ts";

export { tenantChangeOptionsFromEnv as optionsFromEnv } from "../../shared/tenant-record.ts";
export const FIELD_MANAGER = "icn-cordon-tenant";

export function cordonTenant(
  options: TenantChangeOptions = tenantChangeOptionsFromEnv(),
): FunctionDefinition<"tenant.cordon-requested"> {
  return defineFunction({
    name: "cordon-tenant",
    on: "tenant.cordon-requested",
    emits: ["tenant.cordoned", "tenant.rejected"],
    rejects: "tenant.rejected",
    rejection: rejectedTenant,
    concurrency: 4,
    handle: async (event, ctx) => {
      const { tenant } = event.data;
      const change = stateChangeOf(event, ctx.sequence);
      const fieldManager = FIELD_MANAGER;
      const { namespaces } = await setTenantState(ctx.kube, change, "cordoned", { ...options, fieldManager });
      ctx.log.info({ tenant, namespaces }, "tenant cordoned");
      await ctx.emit("tenant.cordoned", { tenant, namespaces, reason: event.data.reason });
    },
  });
}
