// Fixture factories: every call returns a fresh, valid object, so no test can change another's data.
import type { EventData, EventName } from "./events.ts";

export type Fixture<N extends EventName> = (overrides?: Partial<EventData<N>>) => EventData<N>;

// structuredClone also copies the overrides, so a caller's nested arrays are never shared either.
function fixture<N extends EventName>(
  defaults: (overrides: Partial<EventData<N>>) => EventData<N>,
): Fixture<N> {
  return (overrides = {}) => structuredClone({ ...defaults(overrides), ...overrides });
}

/** The smallest valid request: tenant "acme" administered by user alice. */
export const aTenantRequested: Fixture<"tenant.requested"> = fixture(() => ({
  tenant: "acme",
  admins: [{ kind: "User", name: "alice" }],
}));

/** Every optional field set; the namespaces and the service account follow the tenant's name. */
export const aCompleteTenantRequested: Fixture<"tenant.requested"> = fixture(({ tenant = "acme" }) => ({
  tenant,
  admins: [
    { kind: "Group", name: `${tenant}-admins` },
    { kind: "ServiceAccount", name: "deployer", namespace: `${tenant}-dev` },
  ],
  namespaces: [`${tenant}-dev`, `${tenant}-prod`],
  quota: { cpu: "8", memory: "16Gi", pods: 50, storage: "100Gi" },
  runtimeClasses: { allowed: ["kata-qemu", "kata-clh"], default: "kata-qemu" },
  release: "drain",
  ticket: { system: "jira", id: "OPS-1234" },
}));

export const aTenantCordonRequested: Fixture<"tenant.cordon-requested"> = fixture(() => ({
  tenant: "acme",
  reason: "unpaid invoice INV-42: contact billing",
}));

export const aTenantUncordonRequested: Fixture<"tenant.uncordon-requested"> = fixture(() => ({
  tenant: "acme",
}));

export const aTenantCordoned: Fixture<"tenant.cordoned"> = fixture(() => ({
  tenant: "acme",
  namespaces: ["acme"],
  reason: "unpaid invoice INV-42: contact billing",
}));

export const aTenantUncordoned: Fixture<"tenant.uncordoned"> = fixture(() => ({
  tenant: "acme",
  namespaces: ["acme"],
}));

export const aTenantRetireRequested: Fixture<"tenant.retire-requested"> = fixture(() => ({
  tenant: "acme",
}));

export const aTenantRetired: Fixture<"tenant.retired"> = fixture(() => ({
  tenant: "acme",
  dryRun: false,
  namespaces: ["acme"],
  removed: ["Namespace/acme", "ValidatingAdmissionPolicyBinding/icn-tenant-cordon.acme"],
  kept: ["ConfigMap/icn-system/tenant-acme"],
}));

export const aNodeJoined: Fixture<"node.joined"> = fixture(() => ({ node: "worker-1" }));

export const aNodeKataReady: Fixture<"node.kata-ready"> = fixture(() => ({
  node: "worker-1",
  uid: "n-uid-1",
}));

export const aNodeKataOverdue: Fixture<"node.kata-overdue"> = fixture(() => ({
  node: "worker-1",
  uid: "n-uid-1",
}));

export const aPodUnsafe: Fixture<"pod.unsafe"> = fixture(() => ({
  namespace: "acme",
  pod: "legacy-0",
  reason: "runs under runc",
}));

export const aTenantProvisioned: Fixture<"tenant.provisioned"> = fixture(() => ({
  tenant: "acme",
  namespaces: ["acme"],
  applied: ["Namespace/acme", "ResourceQuota/acme/tenant-quota"],
  removed: [],
}));

export const aTenantRejected: Fixture<"tenant.rejected"> = fixture(() => ({
  tenant: "kube-system",
  reason: 'tenant "kube-system" is reserved',
  code: "SCHEMA_INVALID",
}));

export const aNodeKataEnabled: Fixture<"node.kata-enabled"> = fixture(() => ({
  node: "worker-1",
  reason: "cpu-cpuid.VMX is true",
  runtimeClasses: ["kata-qemu"],
}));

export const aNodeKataUnsupported: Fixture<"node.kata-unsupported"> = fixture(() => ({
  node: "worker-2",
  reason: "amd64 node without VMX or SVM",
}));

export const aNodeKataSchedulable: Fixture<"node.kata-schedulable"> = fixture(() => ({
  node: "worker-1",
  reason: "kata-deploy labelled it katacontainers.io/kata-runtime=true",
}));

export const aNodeKataFailed: Fixture<"node.kata-failed"> = fixture(() => ({
  node: "worker-1",
  reason: "not labelled katacontainers.io/kata-runtime=true 10 minutes after it was tainted",
  taintedAt: "2026-11-29T10:00:00.000Z",
}));

export const aPodQuarantined: Fixture<"pod.quarantined"> = fixture(() => ({
  namespace: "acme",
  pod: "legacy-0",
  action: "isolate",
  dryRun: false,
  networkPolicy: "icn-quarantine",
}));

export const aPodCleared: Fixture<"pod.cleared"> = fixture(() => ({
  namespace: "acme",
  pod: "legacy-0",
  reason: "the pod runs kata-qemu",
}));

/** One valid fixture per event, for tests that walk the whole catalogue. */
export const FIXTURES: { readonly [N in EventName]: Fixture<N> } = {
  "tenant.requested": aTenantRequested,
  "tenant.cordon-requested": aTenantCordonRequested,
  "tenant.uncordon-requested": aTenantUncordonRequested,
  "tenant.retire-requested": aTenantRetireRequested,
  "node.joined": aNodeJoined,
  "pod.unsafe": aPodUnsafe,
  "node.kata-ready": aNodeKataReady,
  "node.kata-overdue": aNodeKataOverdue,
  "tenant.provisioned": aTenantProvisioned,
  "tenant.rejected": aTenantRejected,
  "tenant.cordoned": aTenantCordoned,
  "tenant.uncordoned": aTenantUncordoned,
  "tenant.retired": aTenantRetired,
  "node.kata-enabled": aNodeKataEnabled,
  "node.kata-unsupported": aNodeKataUnsupported,
  "node.kata-schedulable": aNodeKataSchedulable,
  "node.kata-failed": aNodeKataFailed,
  "pod.quarantined": aPodQuarantined,
  "pod.cleared": aPodCleared,
};
