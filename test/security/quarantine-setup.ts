// Where the quarantine attacks start: a legacy namespace with runc pods and its user, adopted as a tenant's
// by hand (runc pods can only predate adoption), and quarantine-runc-pod running with its own ServiceAccount.
import { CoreV1Api, RbacAuthorizationV1Api, type KubeConfig, type V1Pod } from "@kubernetes/client-node";
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { optionsFromEnv, quarantineRuncPod, type Action } from "../../functions/quarantine-runc-pod/index.ts";
import { startWatchers, watcherOptionsFromEnv, type Watchers } from "../../shared/sources/index.ts";
import { subjectOf } from "../../schemas/events.ts";
import { TENANT_LABEL } from "../../schemas/names.ts";
import type { RuntimeConfig } from "../../shared/config.ts";
import { createLogger } from "../../shared/logging.ts";
import { applyBaseRbac, applySharedPolicies, serviceAccountKube } from "../deploy/identities.ts";
import { functionRig, type FunctionRig } from "../functions/support.ts";
import { eventually, impersonating, kubeConfig, uniqueName } from "../harness/servers.ts";
import { streamMessages } from "../runtime/support.ts";

const admin = kubeConfig();
const core = admin.makeApiClient(CoreV1Api);

export interface LegacyNamespace {
  namespace: string;
  /** The namespace's own user, bound to `admin` there: after adoption, the tenant's admin. */
  user: string;
  kc: KubeConfig;
  /** Labels the namespace as a tenant's, as provision-tenant does once the operator approved it. */
  adopt: () => Promise<void>;
}

/** The platform installed (RBAC, claims namespace, shared guards) and a namespace not yet a tenant's. */
export async function aLegacyNamespace(prefix: string): Promise<LegacyNamespace> {
  await applyBaseRbac();
  await applySharedPolicies();
  const namespace = uniqueName(prefix);
  const user = `owner-${namespace}`;
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await admin.makeApiClient(RbacAuthorizationV1Api).createNamespacedRoleBinding({
    namespace,
    body: {
      metadata: { name: "namespace-admins" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "admin" },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: user }],
    },
  });
  const kc = impersonating(admin, user);
  // The authorizer learns of a new RoleBinding through a watch: wait until it counts.
  await eventually(() => kc.makeApiClient(CoreV1Api).listNamespacedConfigMap({ namespace }));
  const adopt = async (): Promise<void> => {
    const path = `/metadata/labels/${TENANT_LABEL.replace("/", "~1")}`;
    await core.patchNamespace({ name: namespace, body: [{ op: "add", path, value: namespace }] });
  };
  return { namespace, user, kc, adopt };
}

/** A pod created by the cluster admin (runc unless a class is named). */
export function aPod(
  namespace: string,
  options: { runtimeClassName?: string; labels?: Record<string, string> } = {},
): Promise<V1Pod> {
  return core.createNamespacedPod({
    namespace,
    body: {
      metadata: { name: uniqueName("legacy"), labels: options.labels },
      spec: {
        runtimeClassName: options.runtimeClassName,
        containers: [{ name: "c", image: "registry.example/legacy:1" }],
      },
    },
  });
}

export const unsafe = (pod: V1Pod): { namespace: string; pod: string; uid?: string } => ({
  namespace: pod.metadata?.namespace ?? "",
  pod: pod.metadata?.name ?? "",
  uid: pod.metadata?.uid,
});

export async function podExists(pod: V1Pod): Promise<boolean> {
  const { name = "", namespace = "" } = pod.metadata ?? {};
  try {
    await core.readNamespacedPod({ name, namespace });
    return true;
  } catch (err) {
    if ((err as { code?: number }).code === 404) return false;
    throw err;
  }
}

/** quarantine-runc-pod as deployed (config.env's options) but for `action`, with its ServiceAccount's token. */
export async function quarantineAsDeployed(
  nc: NatsConnection,
  action: Action = "isolate",
): Promise<FunctionRig> {
  const options = optionsFromEnv({ ICN_QUARANTINE_ACTION: action });
  return functionRig(nc, [quarantineRuncPod(options)], await serviceAccountKube("quarantine-runc-pod"));
}

/** The pod watcher as deployed (its ServiceAccount, config.env's Kata runtime), watching one namespace. */
export async function podWatcherFor(
  nc: NatsConnection,
  config: RuntimeConfig,
  namespace: string,
): Promise<Watchers> {
  const watchers = await startWatchers({
    kube: await serviceAccountKube("pod-watcher"),
    js: jetstream(nc),
    config,
    log: createLogger("pod-watcher", process.env.ICN_LOG_LEVEL ?? "silent"),
    options: watcherOptionsFromEnv({
      ICN_WATCHERS: "pod-watcher",
      ICN_WATCH_NAMESPACE_SELECTOR: `${TENANT_LABEL}=${namespace}`,
    }),
  });
  await watchers.synced;
  return watchers;
}

/** The pod.unsafe reports on the bus so far. */
export async function unsafeReports(
  nc: NatsConnection,
  config: RuntimeConfig,
): Promise<Record<string, unknown>[]> {
  const messages = await streamMessages(nc, config.eventsStream, subjectOf(config.prefix, "pod.unsafe"));
  return messages.map((m) => JSON.parse(new TextDecoder().decode(m.data)) as Record<string, unknown>);
}
