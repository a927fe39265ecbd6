// Guards against tenant admins: cluster-wide admission policies that keep the platform's work from being undone.
import type { KubernetesObject } from "@kubernetes/client-node";
import { QUARANTINE_LABEL } from "../../schemas/names.ts";
import { guardObjects, labelOf, refuseUnless, rulesFor, type Guard } from "./guard-builder.ts";
import { NETWORK_POLICY_GUARD, networkPolicyGuards } from "./network-policy-guards.ts";

export { ADMISSION } from "./guard-builder.ts";
export const GUARD_POLICY = {
  tamper: "icn-tenant-tamper-protection",
  quarantineLabel: "icn-tenant-quarantine-label",
  externalIPs: "icn-tenant-no-external-ips",
  ...NETWORK_POLICY_GUARD,
} as const;

/** Only the platform may change or delete what it manages in tenant namespaces. */
const tamperProtection: Guard = {
  kind: "ValidatingAdmissionPolicy",
  name: GUARD_POLICY.tamper,
  resourceRules: rulesFor("*", "*", ["UPDATE", "DELETE"]),
  spec: refuseUnless(
    `${labelOf("oldObject", "app.kubernetes.io/managed-by")} != 'icn-secure-tenancy'`,
    "'only the platform may change or delete ' + request.kind.kind + ' ' + request.name + ': it is managed by icn-secure-tenancy and keeps this tenant isolated'",
  ),
};

/**
 * Only the platform sets, changes or removes a pod's quarantine label, on CREATE as on UPDATE:
 * a pod that arrives labelled would be skipped by the tenant's isolation policy while no
 * quarantine ever made sure its deny-all policy exists. Pods made by a tenant's Deployment are
 * created by Kubernetes' controllers, which are not the platform either.
 */
const quarantineLabel: Guard = {
  kind: "ValidatingAdmissionPolicy",
  name: GUARD_POLICY.quarantineLabel,
  resourceRules: rulesFor("", "pods", ["CREATE", "UPDATE"]),
  spec: refuseUnless(
    `${labelOf("object", QUARANTINE_LABEL)} == ${labelOf("oldObject", QUARANTINE_LABEL)}`,
    `${labelOf("oldObject", QUARANTINE_LABEL)} != '' ? 'pod ' + object.metadata.name + ' is quarantined: only the platform may change its ${QUARANTINE_LABEL} label' : 'only the platform may set the ${QUARANTINE_LABEL} label (pod ' + object.metadata.name + '): it marks pods the platform has isolated for running outside Kata'`,
  ),
};

/**
 * A Service's externalIPs make the cluster route traffic for those addresses to the tenant's pods,
 * whoever in the cluster sends it (CVE-2020-8554); the multi-tenancy benchmarks ask for it blocked.
 */
const noExternalIPs: Guard = {
  kind: "ValidatingAdmissionPolicy",
  name: GUARD_POLICY.externalIPs,
  resourceRules: rulesFor("", "services", ["CREATE", "UPDATE"]),
  spec: refuseUnless(
    "!has(object.spec.externalIPs) || size(object.spec.externalIPs) == 0",
    "'Service ' + object.metadata.name + ' may not set spec.externalIPs in a tenant namespace: it would intercept traffic that other tenants send to those addresses (CVE-2020-8554); use a LoadBalancer or an Ingress instead'",
  ),
};

/** The guards and their bindings: cluster-wide, selecting tenant namespaces by label. */
export function guardPolicies(platformIdentities: readonly string[]): KubernetesObject[] {
  return [tamperProtection, quarantineLabel, noExternalIPs, ...networkPolicyGuards].flatMap((guard) =>
    guardObjects(guard, platformIdentities),
  );
}
