// A namespace dropped from the tenant's request is released, not deleted: what it loses (the order is shared/tenant-release.ts).
import { RELEASED_LABEL, tenantNamespaces } from "../../schemas/names.ts";
import { refOf } from "../../shared/kube-apply.ts";
import type { NamespaceRelease } from "../../shared/tenant-release.ts";
import { adminBinding, confinement, namespaceObject, type TenantRequest } from "./tenant-objects.ts";

export {
  checkReleasable,
  releaseNamespace,
  type NamespaceRelease,
  type ReleaseContext,
} from "../../shared/tenant-release.ts";

/** The namespaces that carry the tenant's label and that the request no longer names, and what each loses. */
export function releasePlan(request: TenantRequest, current: readonly string[]): NamespaceRelease[] {
  const wanted = new Set(tenantNamespaces(request.tenant, request.namespaces));
  return current
    .filter((name) => !wanted.has(name))
    .map((name) => {
      const freeze = namespaceObject(request.tenant, name);
      freeze.metadata = {
        ...freeze.metadata,
        labels: { ...freeze.metadata?.labels, [RELEASED_LABEL]: request.tenant },
      };
      return { name, freeze, admins: adminBinding(request, name), confinement: confinement(request, name) };
    });
}

/** Every ref a release removes, as tenant.provisioned lists them. */
export function removedRefs(release: NamespaceRelease): string[] {
  return [release.admins, ...release.confinement].map(refOf);
}
