// kube-apiserver 1.36 drops its ConfigMap parameter informer for good once no binding names that kind
// (kubernetes/kubernetes#130887). Retiring the last tenant gets there; the platform's anchor bindings keep
// the next tenant enforceable. Needs an apiserver no other suite binds anything on: this suite starts its own.
import { AdmissionregistrationV1Api, type KubeConfig } from "@kubernetes/client-node";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { statePaths } from "../../deploy/local/paths.ts";
import { optionsFromEnv } from "../../functions/provision-tenant/index.ts";
import { applyPlan, plan } from "../../functions/provision-tenant/provision.ts";
import { TENANT_LABEL } from "../../schemas/names.ts";
import { kubeFromConfig, type Kube } from "../../shared/kube.ts";
import { installKataRuntimeClasses } from "../harness/kata-deploy.ts";
import { startOwnKube, stopOwnKube } from "../harness/own-platform.ts";
import { uniqueName } from "../harness/servers.ts";

const paths = statePaths(join(tmpdir(), uniqueName("icn-anchor")));
const classes = { allowed: ["kata-qemu"], default: "kata-qemu" };
let kc: KubeConfig;
let kube: Kube;

beforeAll(async () => {
  kc = await startOwnKube(paths);
  kube = kubeFromConfig(kc);
  await installKataRuntimeClasses(paths.kubeconfig);
}, 180_000);

afterAll(() => stopOwnKube(paths));

async function provision(tenant: string): Promise<void> {
  const admin = kc.getCurrentUser()?.name ?? "icn-admin";
  const identities = [...optionsFromEnv({}).platformIdentities, admin];
  const request = { tenant, admins: [{ kind: "User" as const, name: `admin-${tenant}` }] };
  const tenantPlan = plan(
    request,
    classes,
    { identities, kataClasses: classes.allowed },
    { lastRequestId: tenant },
  );
  await applyPlan(kube, tenantPlan, classes.default, []);
}

/** What retiring a tenant ends with: its bindings gone, here the only tenant's, so no tenant binding is left. */
async function removeBindings(tenant: string): Promise<void> {
  const admission = kc.makeApiClient(AdmissionregistrationV1Api);
  const labelSelector = `${TENANT_LABEL}=${tenant}`;
  await admission.deleteCollectionMutatingAdmissionPolicyBinding({ labelSelector });
  await admission.deleteCollectionValidatingAdmissionPolicyBinding({ labelSelector });
}

test("after the only tenant's bindings are removed, the next tenant is still enforced (its pods defaulted to Kata)", async () => {
  const first = uniqueName("anchor-a");
  await provision(first);
  await removeBindings(first);
  // The apiserver refreshes its policies each second; without the anchors it stops the informer on the next tick.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const second = uniqueName("anchor-b");
  // Without the anchors this fails with ENFORCEMENT_PENDING: every probe is refused with "no params found".
  await expect(provision(second)).resolves.toBeUndefined();
  const pod = await kube.core.createNamespacedPod({
    namespace: second,
    dryRun: "All",
    body: {
      metadata: { name: "web" },
      spec: { containers: [{ name: "web", image: "registry.k8s.io/pause:3.10" }] },
    },
  });
  expect(pod.spec?.runtimeClassName).toBe("kata-qemu");
}, 180_000);
