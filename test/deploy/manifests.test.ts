// Every overlay builds with the pinned kustomize, and the local apiserver accepts every object it holds.
import {
  ApiextensionsV1Api,
  CoreV1Api,
  type KubernetesObject,
  type V1CustomResourceDefinition,
  type V1Container,
  type V1Deployment,
  type V1EnvVar,
  type V1SecretKeySelector,
} from "@kubernetes/client-node";
import { FUNCTION_NAMES } from "../../functions/index.ts";
import { platformUsers } from "../../deploy/nats/generate.ts";
import { ACCOUNT, inboxPrefix } from "../../deploy/nats/permissions.ts";
import { configFromEnv } from "../../shared/config.ts";
import { apply } from "../../shared/kube-apply.ts";
import { kubeFromConfig } from "../../shared/kube.ts";
import { eventually, kubeConfig, uniqueName } from "../harness/servers.ts";
import { FIELD_MANAGER } from "./identities.ts";
import { BASE, build, groupOf, kedaCrds, ofKind, OVERLAYS, refOf } from "./manifests.ts";

const kc = kubeConfig();
const kube = kubeFromConfig(kc);
const core = kc.makeApiClient(CoreV1Api);
const restricted = uniqueName("restricted");
const COMPONENTS = [...FUNCTION_NAMES, "node-watcher", "pod-watcher", "ingress"];
const crds = kedaCrds();

const messageOf = (err: unknown): string => {
  const body = (err as { body?: unknown }).body;
  return typeof body === "string" ? body : String(err);
};

async function established(name: string): Promise<void> {
  const crd = await kc.makeApiClient(ApiextensionsV1Api).readCustomResourceDefinition({ name });
  const ok = crd.status?.conditions?.some((c) => c.type === "Established" && c.status === "True");
  if (!ok) throw new Error(`CRD ${name} is not established yet`);
}

beforeAll(async () => {
  for (const crd of crds) await apply(kube, crd, FIELD_MANAGER);
  for (const crd of crds) await eventually(() => established(crd.metadata?.name ?? ""), 60_000);
  await eventually(() => kube.objects.list("keda.sh/v1alpha1", "ScaledObject", "default"), 60_000);
  // The install's first step: the platform namespace, for real (namespaced dry runs need it).
  for (const ns of ofKind(build(BASE), "Namespace")) await apply(kube, ns, FIELD_MANAGER);
  const labels = { "pod-security.kubernetes.io/enforce": "restricted" };
  await core.createNamespace({ body: { metadata: { name: restricted, labels } } });
}, 300_000);

afterAll(async () => {
  await core.deleteNamespace({ name: restricted }).catch(() => undefined);
});

test("KEDA's CRDs come from its pinned Go module and include ScaledObject", () => {
  const kinds = (crds as V1CustomResourceDefinition[]).map((c) => `${c.spec.group}/${c.spec.names.kind}`);
  expect(kinds).toContain("keda.sh/ScaledObject");
});

describe("the checks can fail", () => {
  test("a pod without the restricted settings is refused in such a namespace", async () => {
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "root", namespace: restricted } };
    const spec = { containers: [{ name: "c", image: "x", securityContext: { privileged: true } }] };
    await expect(
      kube.objects.create({ ...pod, spec } as KubernetesObject, undefined, "All"),
    ).rejects.toMatchObject({
      code: 403,
    });
  });

  test("a ScaledObject KEDA's schema rejects is refused by the dry run", async () => {
    const scaled = ofKind(build(OVERLAYS[0]), "ScaledObject")[0] as KubernetesObject & { spec: object };
    const broken = { ...scaled, spec: { ...scaled.spec, minReplicaCount: "none" } } as KubernetesObject;
    const dryRun = { fieldManager: FIELD_MANAGER, force: true, dryRun: "All" as const };
    const refused = await kube.objects.serverSideApply(broken, dryRun).then(
      () => undefined,
      (err: unknown) => messageOf(err),
    );
    expect(refused).toContain("minReplicaCount");
  });
});

describe.each(OVERLAYS)("%s", (overlay) => {
  const objects = build(overlay);
  const deployments = ofKind<V1Deployment>(objects, "Deployment");

  test("the apiserver accepts every object (server-side apply, dry run)", async () => {
    const refused: string[] = [];
    for (const obj of objects) {
      await kube.objects
        .serverSideApply(obj, { fieldManager: FIELD_MANAGER, force: true, dryRun: "All" })
        .catch((err: unknown) => refused.push(`${refOf(obj)}: ${messageOf(err)}`));
    }
    expect(refused).toEqual([]);
    expect(objects.length).toBeGreaterThan(40);
  });

  test("no object needs a CustomResourceDefinition other than KEDA's", async () => {
    const installed = await kc.makeApiClient(ApiextensionsV1Api).listCustomResourceDefinition();
    const kedaKinds = new Set((crds as V1CustomResourceDefinition[]).map((c) => c.spec.names.kind));
    const foreign = new Set(installed.items.map((c) => c.spec.group).filter((g) => g !== "keda.sh"));
    const needsCrd = objects.filter((o) => foreign.has(groupOf(o)));
    const keda = objects.filter((o) => groupOf(o) === "keda.sh");
    expect(needsCrd.map(refOf)).toEqual([]);
    expect(keda.every((o) => kedaKinds.has(o.kind ?? ""))).toBe(true);
    expect(new Set(keda.map((o) => o.kind))).toEqual(new Set(["ScaledObject"]));
  });

  test("every pod passes the restricted Pod Security level", async () => {
    const refused: string[] = [];
    for (const d of deployments) {
      const pod = {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: `${d.metadata?.name}-psa`, namespace: restricted },
        spec: d.spec?.template.spec,
      } as KubernetesObject;
      await kube.objects
        .create(pod, undefined, "All")
        .catch((err: unknown) => refused.push(`${d.metadata?.name}: ${messageOf(err)}`));
    }
    expect(refused).toEqual([]);
  });

  test("one Deployment, ServiceAccount and disruption budget per function, watcher and the ingress", () => {
    const names = (kind: string): string[] => ofKind(objects, kind).map((o) => o.metadata?.name ?? "");
    expect(new Set(deployments.map((d) => d.metadata?.name))).toEqual(new Set(COMPONENTS));
    expect(deployments.map((d) => d.spec?.template.spec?.serviceAccountName)).toEqual(
      deployments.map((d) => d.metadata?.name),
    );
    expect(names("ServiceAccount")).toEqual(expect.arrayContaining(COMPONENTS));
    expect(new Set(names("PodDisruptionBudget"))).toEqual(new Set(COMPONENTS));
  });

  test("every container has requests, limits and probes on its HTTP port", () => {
    for (const d of deployments) expectProbedAndSized(d);
    const ingress = deployments.find((d) => d.metadata?.name === "ingress");
    expect(ingress && hostOf(ingress).env).toEqual(
      expect.arrayContaining([
        { name: "ICN_INGRESS_PORT", value: "8080" },
        { name: "ICN_INGRESS_HOST", value: "0.0.0.0" },
      ]),
    );
    const config = ofKind<KubernetesObject & { data: Record<string, string> }>(objects, "ConfigMap")[0];
    expect(config?.data).toMatchObject({ ICN_HTTP_PORT: "8080", ICN_HTTP_HOST: "0.0.0.0" });
  });

  test("each component connects to NATS as its own generated user, password from the Secret", () => {
    const users = new Set(platformUsers().map((u) => u.user));
    for (const d of deployments) {
      const { user = "", inbox, secret } = natsIdentityOf(d);
      expect(users.has(user) && user === d.metadata?.name).toBe(true);
      expect(inbox).toBe(inboxPrefix(user));
      expect(secret?.key).toBe(user);
      expect(secret?.name).toMatch(/^icn-nats-credentials/);
    }
  });

  test("each function scales to zero on its own durable consumer of the events stream", () => {
    const config = configFromEnv(
      ofKind<KubernetesObject & { data: NodeJS.ProcessEnv }>(objects, "ConfigMap")[0]?.data,
    );
    const scaled = ofKind<KubernetesObject & { spec: ScaledObjectSpec }>(objects, "ScaledObject");
    expect(new Set(scaled.map((s) => s.spec.scaleTargetRef.name))).toEqual(new Set(FUNCTION_NAMES));
    for (const s of scaled) {
      expect(s.spec.minReplicaCount).toBe(0);
      expect(s.spec.triggers).toHaveLength(1);
      const [trigger] = s.spec.triggers;
      expect(trigger?.type).toBe("nats-jetstream");
      expect(trigger?.metadata).toMatchObject({
        account: ACCOUNT,
        stream: config.eventsStream,
        consumer: s.spec.scaleTargetRef.name,
      });
      expect(trigger?.metadata.lagThreshold).toMatch(/^\d+$/);
    }
  });
});

interface ScaledObjectSpec {
  scaleTargetRef: { name: string };
  minReplicaCount: number;
  triggers: { type: string; metadata: Record<string, string> }[];
}

/** The one container of a Deployment's pods (every component has exactly one, named `host`). */
function hostOf(d: V1Deployment): V1Container {
  const [container] = d.spec?.template.spec?.containers ?? [];
  if (!container) throw new Error(`${d.metadata?.name} has no container`);
  return container;
}

/** Requests, limits, and probes on the `http` port: /healthz, and /readyz (the ingress serves /healthz only). */
function expectProbedAndSized(d: V1Deployment): void {
  const { resources = {}, livenessProbe, readinessProbe, ports } = hostOf(d);
  expect(Object.keys(resources.requests ?? {}).sort()).toEqual(["cpu", "memory"]);
  expect(Object.keys(resources.limits ?? {}).sort()).toEqual(["cpu", "memory"]);
  expect(livenessProbe?.httpGet).toMatchObject({ path: "/healthz", port: "http" });
  const ready = d.metadata?.name === "ingress" ? "/healthz" : "/readyz";
  expect(readinessProbe?.httpGet).toMatchObject({ path: ready, port: "http" });
  expect(ports).toContainEqual({ name: "http", containerPort: 8080 });
}

/** The component's NATS user, inbox and password reference, as its Deployment sets them. */
function natsIdentityOf(d: V1Deployment): { user?: string; inbox?: string; secret?: V1SecretKeySelector } {
  const env = hostOf(d).env ?? [];
  const find = (name: string): V1EnvVar | undefined => env.find((e) => e.name === name);
  return {
    user: find("NATS_USER")?.value,
    inbox: find("NATS_INBOX_PREFIX")?.value,
    secret: find("NATS_PASSWORD")?.valueFrom?.secretKeyRef,
  };
}
