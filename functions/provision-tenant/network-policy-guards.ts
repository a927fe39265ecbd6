// The NetworkPolicies a tenant writes: they never select a quarantined pod, and never admit traffic from outside the tenant.
import { QUARANTINE_LABEL, TENANT_LABEL } from "../../schemas/names.ts";
import { refuseUnless, rulesFor, type Guard } from "./guard-builder.ts";

export const NETWORK_POLICY_GUARD = {
  spareQuarantined: "icn-tenant-network-policy-spares-quarantined",
  tenantIngress: "icn-tenant-network-policy-ingress",
} as const;

const writes = rulesFor("networking.k8s.io", "networkpolicies", ["CREATE", "UPDATE"]);
const expressions = "object.spec.podSelector.matchExpressions";
const hasExpressions = `has(${expressions})`;
const spared = `${hasExpressions} && ${expressions}.exists(e, e.key == '${QUARANTINE_LABEL}' && e.operator == 'DoesNotExist')`;

/**
 * Policies add up, so one that selects a quarantined pod would re-open it. Rather than refuse
 * the tenant's policy, the apiserver narrows it to pods without the quarantine label: what the
 * tenant reads back says so. Two patch operations, because kube-apiserver 1.36.3 panicked on a
 * JSONPatch whose value was a list of typed objects; an empty list and then one element work.
 */
const spareQuarantined: Guard = {
  kind: "MutatingAdmissionPolicy",
  name: NETWORK_POLICY_GUARD.spareQuarantined,
  resourceRules: writes,
  matchConditions: [{ name: "selects-quarantined-pods", expression: `!(${spared})` }],
  spec: {
    reinvocationPolicy: "IfNeeded",
    mutations: [
      {
        patchType: "JSONPatch",
        jsonPatch: {
          expression: [
            `(${hasExpressions} ? [] : [JSONPatch{op: 'add', path: '/spec/podSelector/matchExpressions', value: []}])`,
            `[JSONPatch{op: 'add', path: '/spec/podSelector/matchExpressions/-', value: Object.spec.podSelector.matchExpressions{key: '${QUARANTINE_LABEL}', operator: 'DoesNotExist'}}]`,
          ].join(" + "),
        },
      },
    ],
  },
};

const tenantLabel = `'${TENANT_LABEL}'`;
/** The namespaceSelector requires this namespace's own tenant, by matchLabels or an `In` expression. */
const pinsTenant = (s: string): string =>
  `(has(${s}.matchLabels) && ${tenantLabel} in ${s}.matchLabels && ${s}.matchLabels[${tenantLabel}] == variables.tenant) || ` +
  `(has(${s}.matchExpressions) && ${s}.matchExpressions.exists(e, e.key == ${tenantLabel} && e.operator == 'In' && has(e.values) && size(e.values) > 0 && e.values.all(v, v == variables.tenant)))`;
/** A peer inside the tenant: pods of this namespace, or of namespaces labelled with this tenant. */
const peerInTenant =
  `!has(p.ipBlock) && ((has(p.podSelector) && !has(p.namespaceSelector)) || ` +
  `(has(p.namespaceSelector) && (${pinsTenant("p.namespaceSelector")})))`;

/**
 * The isolation policy admits only the tenant's own namespaces; a tenant policy that admits
 * anyone else would add that allowance to the same pods. Egress stays free: the receiving
 * tenant's isolation policy refuses it there.
 */
const tenantIngress: Guard = {
  kind: "ValidatingAdmissionPolicy",
  name: NETWORK_POLICY_GUARD.tenantIngress,
  resourceRules: writes,
  spec: {
    variables: [{ name: "tenant", expression: `namespaceObject.metadata.labels[${tenantLabel}]` }],
    ...refuseUnless(
      `!has(object.spec.ingress) || object.spec.ingress.all(r, has(r.from) && size(r.from) > 0 && r.from.all(p, ${peerInTenant}))`,
      "'NetworkPolicy ' + object.metadata.name + ' would admit traffic from outside tenant ' + variables.tenant + " +
        "', which its isolation policy refuses: every ingress rule needs a from, and each peer must be a podSelector alone (this namespace) " +
        `or carry a namespaceSelector requiring ${TENANT_LABEL}=' + variables.tenant + ' (no ipBlock); egress rules are not restricted'`,
    ),
  },
};

export const networkPolicyGuards: readonly Guard[] = [spareQuarantined, tenantIngress];
