// What KWOK may do as its own user: a kubelet's work for the nodes it manages, nothing else.
import type { KubernetesObject } from "@kubernetes/client-node";
import { apply } from "../../shared/kube-apply.ts";
import type { Kube } from "../../shared/kube.ts";
import { COMPONENT_USERS } from "./certs.ts";

const NAME = "icn-local:kwok";
const FIELD_MANAGER = "icn-local";
const subjects = [{ kind: "User", apiGroup: "rbac.authorization.k8s.io", name: COMPONENT_USERS.kwok }];

/**
 * Kubernetes has no built-in role for it (the kubelet's, system:node, is scoped per node by the Node
 * authorizer). These rules follow what its stages and controllers call: watch nodes and write their
 * status, watch pods and write their status, delete the ones being deleted (removing finalizers
 * first), record Events; its node Leases live in kube-node-lease only.
 */
function clusterRole(): KubernetesObject {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name: NAME },
    rules: [
      { apiGroups: [""], resources: ["nodes"], verbs: ["get", "list", "watch"] },
      { apiGroups: [""], resources: ["nodes/status", "pods/status"], verbs: ["patch", "update"] },
      { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch", "patch", "update", "delete"] },
      { apiGroups: ["", "events.k8s.io"], resources: ["events"], verbs: ["create", "patch", "update"] },
    ],
  } as KubernetesObject;
}

function leaseRole(): KubernetesObject {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "Role",
    metadata: { name: NAME, namespace: "kube-node-lease" },
    rules: [
      {
        apiGroups: ["coordination.k8s.io"],
        resources: ["leases"],
        verbs: ["get", "list", "watch", "create", "update", "patch"],
      },
    ],
  } as KubernetesObject;
}

function binding(kind: "ClusterRoleBinding" | "RoleBinding", namespace?: string): KubernetesObject {
  const roleKind = kind === "ClusterRoleBinding" ? "ClusterRole" : "Role";
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind,
    metadata: { name: NAME, namespace },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: roleKind, name: NAME },
    subjects,
  } as KubernetesObject;
}

/** Applies KWOK's roles and bindings (server-side apply: running it again changes nothing). */
export async function applyKwokRbac(kube: Kube): Promise<void> {
  const objects = [
    clusterRole(),
    binding("ClusterRoleBinding"),
    leaseRole(),
    binding("RoleBinding", "kube-node-lease"),
  ];
  for (const obj of objects) await apply(kube, obj, FIELD_MANAGER);
}
