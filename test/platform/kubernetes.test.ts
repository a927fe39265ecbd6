// Proves the embedded apiserver is a real one: objects, admission policies (GA v1), RBAC, TokenRequest.
import {
  AuthenticationV1Api,
  CoreV1Api,
  KubernetesObjectApi,
  type KubernetesObject,
  type V1Pod,
} from "@kubernetes/client-node";
import { eventually, impersonating, kubeConfig, uniqueName, withToken } from "../harness/servers.ts";

const kc = kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const objects = KubernetesObjectApi.makeApiClient(kc);
const ns = uniqueName("platform");
const policy = uniqueName("kata-default");

const aPod = (name: string, runtimeClassName?: string): V1Pod => ({
  metadata: { name, namespace: ns },
  spec: { runtimeClassName, containers: [{ name: "app", image: "registry.example/app:1" }] },
});

const statusCode = (err: unknown): number | undefined => (err as { code?: number }).code;

beforeAll(async () => {
  await core.createNamespace({ body: { metadata: { name: ns, labels: { "icn-test/kata": policy } } } });
  await objects.create({
    apiVersion: "node.k8s.io/v1",
    kind: "RuntimeClass",
    metadata: { name: `${policy}-qemu` },
    handler: "kata-qemu",
  } as KubernetesObject);
  // The RuntimeClass admission plugin refuses unknown classes before any policy runs.
  await objects
    .create({
      apiVersion: "node.k8s.io/v1",
      kind: "RuntimeClass",
      metadata: { name: "runc" },
      handler: "runc",
    } as KubernetesObject)
    .catch((e: unknown) => {
      if (statusCode(e) !== 409) throw e;
    });
  const match = { namespaceSelector: { matchLabels: { "icn-test/kata": policy } } };
  const podRules = {
    resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], resources: ["pods"], operations: ["CREATE"] }],
  };
  await objects.create({
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "MutatingAdmissionPolicy",
    metadata: { name: policy },
    spec: {
      matchConstraints: podRules,
      matchConditions: [{ name: "no-class", expression: "!has(object.spec.runtimeClassName)" }],
      failurePolicy: "Fail",
      reinvocationPolicy: "Never",
      mutations: [
        {
          patchType: "ApplyConfiguration",
          applyConfiguration: { expression: `Object{spec: Object.spec{runtimeClassName: "${policy}-qemu"}}` },
        },
      ],
    },
  } as KubernetesObject);
  await objects.create({
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "MutatingAdmissionPolicyBinding",
    metadata: { name: policy },
    spec: { policyName: policy, matchResources: match },
  } as KubernetesObject);
  await objects.create({
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicy",
    metadata: { name: policy },
    spec: {
      matchConstraints: podRules,
      failurePolicy: "Fail",
      validations: [
        {
          expression: "object.spec.runtimeClassName != 'runc'",
          message: "runc pods are not allowed here: use a Kata runtime class",
        },
      ],
    },
  } as KubernetesObject);
  await objects.create({
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicyBinding",
    metadata: { name: policy },
    spec: { policyName: policy, validationActions: ["Deny"], matchResources: match },
  } as KubernetesObject);
});

test("stores a Node object", async () => {
  const name = uniqueName("node");
  await core.createNode({ body: { metadata: { name, labels: { "kubernetes.io/arch": "amd64" } } } });
  const node = await core.readNode({ name });
  expect(node.metadata?.labels?.["kubernetes.io/arch"]).toBe("amd64");
});

test("a MutatingAdmissionPolicy sets the runtime class of a pod created without one", async () => {
  const pod = await eventually(async () => {
    const created = await core.createNamespacedPod({ namespace: ns, body: aPod(uniqueName("plain")) });
    if (created.spec?.runtimeClassName !== `${policy}-qemu`)
      throw new Error(`not mutated yet: ${created.spec?.runtimeClassName}`);
    return created;
  });
  expect(pod.spec?.runtimeClassName).toBe(`${policy}-qemu`);
});

test("a ValidatingAdmissionPolicy denies a runc pod with the policy's message", async () => {
  const err = await eventually(async () => {
    const result = await core
      .createNamespacedPod({ namespace: ns, body: aPod(uniqueName("runc"), "runc") })
      .then(
        () => new Error("runc pod was admitted"),
        (e: unknown) => e,
      );
    if (statusCode(result) !== 422) throw result;
    return result as Error;
  });
  expect(err.message).toContain("runc pods are not allowed here");
});

test("RBAC forbids a service account without permissions; the TokenRequest API issues its token", async () => {
  const sa = uniqueName("nobody");
  await core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: sa } } });
  const tokenRequest = await core.createNamespacedServiceAccountToken({
    namespace: ns,
    name: sa,
    body: { spec: { audiences: [], expirationSeconds: 600 } },
  });
  const token = tokenRequest.status?.token ?? "";
  expect(token.split(".")).toHaveLength(3);
  const asToken = withToken(kc, token);
  const review = await asToken.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: {} });
  expect(review.status?.userInfo?.username).toBe(`system:serviceaccount:${ns}:${sa}`);
  await expect(asToken.makeApiClient(CoreV1Api).listNode()).rejects.toMatchObject({ code: 403 });
  const impersonated = impersonating(kc, `system:serviceaccount:${ns}:${sa}`);
  await expect(impersonated.makeApiClient(CoreV1Api).listNode()).rejects.toMatchObject({ code: 403 });
});
