// The provision-tenant attacks' common ground: the real function in a host on the real servers, as the platform runs it.
import { CoreV1Api, RbacAuthorizationV1Api, type KubeConfig } from "@kubernetes/client-node";
import type { NatsConnection } from "@nats-io/transport-node";
import {
  optionsFromEnv,
  provisionTenant,
  type ProvisionTenantOptions,
} from "../../functions/provision-tenant/index.ts";
import { platformIdentitiesForTests } from "../deploy/identities.ts";
import { functionRig, type FunctionRig } from "../functions/support.ts";
import { impersonating, kubeConfig, natsConnection } from "../harness/servers.ts";

export interface ProvisionRig extends FunctionRig {
  admin: KubeConfig;
  core: CoreV1Api;
  rbac: RbacAuthorizationV1Api;
  /** The cluster as one user sees it (impersonated). */
  as: (user: string) => CoreV1Api;
  close: () => Promise<void>;
}

export async function provisionRig(overrides: Partial<ProvisionTenantOptions> = {}): Promise<ProvisionRig> {
  const nc: NatsConnection = await natsConnection();
  const options = {
    ...optionsFromEnv({}),
    platformIdentities: await platformIdentitiesForTests(),
    ...overrides,
  };
  const rig = await functionRig(nc, [provisionTenant(options)]);
  const admin = kubeConfig();
  return {
    ...rig,
    admin,
    core: admin.makeApiClient(CoreV1Api),
    rbac: admin.makeApiClient(RbacAuthorizationV1Api),
    as: (user) => impersonating(admin, user).makeApiClient(CoreV1Api),
    close: async () => {
      await rig.stop();
      await nc.close();
    },
  };
}

export const aRequest = (
  tenant: string,
  admin: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> => ({
  tenant,
  admins: [{ kind: "User", name: admin }],
  ...extra,
});

/** A namespace that exists before any tenant asks for it, with a Secret nobody but its owners may read. */
export async function anExistingNamespace(
  core: CoreV1Api,
  name: string,
  labels: Record<string, string> = {},
): Promise<void> {
  await core.createNamespace({ body: { metadata: { name, labels } } }).catch((err: { code?: number }) => {
    if (err.code !== 409) throw err;
  });
  await core
    .createNamespacedSecret({
      namespace: name,
      body: { metadata: { name: "crown-jewels" }, stringData: { password: "s3cret" } },
    })
    .catch((err: { code?: number }) => {
      if (err.code !== 409) throw err;
    });
}

/** The HTTP status a call ends with (200 when it succeeds). */
export async function statusOf(call: () => Promise<unknown>): Promise<number> {
  try {
    await call();
    return 200;
  } catch (err) {
    return (err as { code?: number }).code ?? -1;
  }
}
