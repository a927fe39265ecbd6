// The event catalogue: every event's CloudEvents type, data schema and meaning, in one table.
import type { z } from "zod";
import { nodeKataFailedSchema, nodeKataResultSchema, nodeRefSchema } from "./node-events.ts";
import { podClearedSchema, podQuarantinedSchema, podUnsafeSchema } from "./pod-events.ts";
import {
  tenantCordonedSchema,
  tenantCordonRequestedSchema,
  tenantProvisionedSchema,
  tenantRejectedSchema,
  tenantRequestedSchema,
  tenantRetiredSchema,
  tenantRetireRequestedSchema,
  tenantUncordonedSchema,
  tenantUncordonRequestedSchema,
} from "./tenant-events.ts";

/** Subjects are `<prefix>.<event name>`; deployments may choose another prefix. */
export const DEFAULT_SUBJECT_PREFIX = "icn";
export const EVENT_TYPE_PREFIX = "org.akraino.icn.";

type EventSpec = { readonly type: string; readonly data: z.ZodType; readonly description: string };

export const EVENTS = {
  "tenant.requested": {
    type: "org.akraino.icn.tenant.requested",
    data: tenantRequestedSchema,
    description: "A tenant is wanted: its namespaces, admins, quota and Kata runtime classes.",
  },
  "tenant.cordon-requested": {
    type: "org.akraino.icn.tenant.cordon-requested",
    data: tenantCordonRequestedSchema,
    description:
      "Freeze a tenant: the apiserver refuses new pods and pod changes in all its namespaces (its admins see the reason); running pods keep running.",
  },
  "tenant.uncordon-requested": {
    type: "org.akraino.icn.tenant.uncordon-requested",
    data: tenantUncordonRequestedSchema,
    description: "Lift a tenant's cordon: its namespaces admit pods again.",
  },
  "tenant.retire-requested": {
    type: "org.akraino.icn.tenant.retire-requested",
    data: tenantRetireRequestedSchema,
    description:
      "Offboard a tenant: cordon it, evict its pods, delete its namespaces (or keep them released), then remove its bindings and parameters. dryRun lists what would go.",
  },
  "node.joined": {
    type: "org.akraino.icn.node.joined",
    data: nodeRefSchema,
    description: "A node joined the cluster and may be able to run Kata Containers.",
  },
  "pod.unsafe": {
    type: "org.akraino.icn.pod.unsafe",
    data: podUnsafeSchema,
    description: "A pod in a tenant namespace appears not to run in a Kata sandbox.",
  },
  "node.kata-ready": {
    type: "org.akraino.icn.node.kata-ready",
    data: nodeRefSchema,
    description:
      "kata-deploy labelled a node that carries the platform's startup taint katacontainers.io/kata-runtime=true: Kata is installed there.",
  },
  "node.kata-overdue": {
    type: "org.akraino.icn.node.kata-overdue",
    data: nodeRefSchema,
    description:
      "A node has carried the platform's startup taint longer than the install deadline, and kata-deploy has not labelled it ready.",
  },
  "tenant.provisioned": {
    type: "org.akraino.icn.tenant.provisioned",
    data: tenantProvisionedSchema,
    description: "The tenant's namespaces, quota, network and runtime-class policies are applied.",
  },
  "tenant.rejected": {
    type: "org.akraino.icn.tenant.rejected",
    data: tenantRejectedSchema,
    description:
      "A tenant request, cordon, uncordon or retire was refused (invalid, stale, another source's tenant, a namespace of another tenant, pods in a namespace to release, deletion protection).",
  },
  "tenant.cordoned": {
    type: "org.akraino.icn.tenant.cordoned",
    data: tenantCordonedSchema,
    description: "The apiserver refuses new pods and pod changes in every namespace of the tenant.",
  },
  "tenant.uncordoned": {
    type: "org.akraino.icn.tenant.uncordoned",
    data: tenantUncordonedSchema,
    description: "The tenant's namespaces admit pods again.",
  },
  "tenant.retired": {
    type: "org.akraino.icn.tenant.retired",
    data: tenantRetiredSchema,
    description:
      "The tenant is gone (or, with dryRun, would be): what was removed, what was kept; its record stays so that no older request brings it back.",
  },
  "node.kata-enabled": {
    type: "org.akraino.icn.node.kata-enabled",
    data: nodeKataResultSchema,
    description: "The node can run Kata and is labelled for kata-deploy.",
  },
  "node.kata-unsupported": {
    type: "org.akraino.icn.node.kata-unsupported",
    data: nodeKataResultSchema,
    description: "The node cannot run Kata (no hardware virtualisation, or an operator said so).",
  },
  "node.kata-schedulable": {
    type: "org.akraino.icn.node.kata-schedulable",
    data: nodeKataResultSchema,
    description:
      "Kata is installed on the node and its startup taint is removed: Kata pods may be scheduled there.",
  },
  "node.kata-failed": {
    type: "org.akraino.icn.node.kata-failed",
    data: nodeKataFailedSchema,
    description:
      "Kata was not installed on the node within the deadline; the node keeps its startup taint and a Warning Event.",
  },
  "pod.quarantined": {
    type: "org.akraino.icn.pod.quarantined",
    data: podQuarantinedSchema,
    description: "The unsafe pod is isolated by a NetworkPolicy and, by policy, evicted or deleted.",
  },
  "pod.cleared": {
    type: "org.akraino.icn.pod.cleared",
    data: podClearedSchema,
    description: "The reported pod needed nothing (gone, replaced, outside tenancy, or running Kata).",
  },
} as const satisfies Record<string, EventSpec>;

export type EventName = keyof typeof EVENTS;
export type EventType = (typeof EVENTS)[EventName]["type"];
export type EventData<N extends EventName> = z.infer<(typeof EVENTS)[N]["data"]>;

export const EVENT_NAMES = Object.keys(EVENTS) as readonly EventName[];

/** Each result names the input event it answers; a result's `causeid` is that input's id. */
export const RESULT_OF = {
  "tenant.provisioned": "tenant.requested",
  "tenant.rejected": [
    "tenant.requested",
    "tenant.cordon-requested",
    "tenant.uncordon-requested",
    "tenant.retire-requested",
  ],
  "tenant.cordoned": "tenant.cordon-requested",
  "tenant.uncordoned": "tenant.uncordon-requested",
  "tenant.retired": "tenant.retire-requested",
  "node.kata-enabled": "node.joined",
  "node.kata-unsupported": "node.joined",
  "node.kata-schedulable": "node.kata-ready",
  "node.kata-failed": "node.kata-overdue",
  "pod.quarantined": "pod.unsafe",
  "pod.cleared": "pod.unsafe",
} as const satisfies Partial<Record<EventName, EventName | readonly EventName[]>>;

export type ResultEventName = keyof typeof RESULT_OF;
export type InputEventName = Exclude<EventName, ResultEventName>;

export function isResultEvent(name: EventName): name is ResultEventName {
  return Object.hasOwn(RESULT_OF, name);
}

/** The input events a result may answer (tenant.rejected answers every tenant request). */
export function inputsOf(result: ResultEventName): readonly EventName[] {
  return [RESULT_OF[result]].flat();
}

export function eventType<N extends EventName>(name: N): (typeof EVENTS)[N]["type"] {
  return EVENTS[name].type;
}

const NAME_OF_TYPE: ReadonlyMap<string, EventName> = new Map(
  EVENT_NAMES.map((name) => [EVENTS[name].type, name]),
);

export function eventNameOfType(type: string): EventName | undefined {
  return NAME_OF_TYPE.get(type);
}

export function subjectOf<P extends string, N extends EventName>(prefix: P, name: N): `${P}.${N}` {
  return `${prefix}.${name}`;
}

export function parseEventData<N extends EventName>(
  name: N,
  data: unknown,
): z.ZodSafeParseResult<EventData<N>> {
  // The table is keyed by name, so the schema picked is N's; TypeScript cannot correlate the union.
  return EVENTS[name].data.safeParse(data) as z.ZodSafeParseResult<EventData<N>>;
}
