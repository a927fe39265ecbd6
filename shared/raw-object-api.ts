// Server-side apply that sends our JSON as written. client-node's generic patch re-serialises known
// kinds through its typed models, which drop JSON field names they spell differently (`from`, `default`).
import {
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  type KubernetesObject,
} from "@kubernetes/client-node";

export class RawObjectApi extends KubernetesObjectApi {
  static forConfig(kc: KubeConfig): RawObjectApi {
    const client = kc.makeApiClient(RawObjectApi);
    client.setDefaultNamespace(kc);
    return client;
  }

  async serverSideApply<T extends KubernetesObject>(
    spec: T,
    options: { fieldManager: string; force?: boolean; dryRun?: "All" },
  ): Promise<T> {
    const path = await this.specUriPath(spec, "patch");
    const request = this.configuration.baseServer.makeRequestContext(path, "PATCH");
    request.setHeaderParam("Accept", "application/json");
    request.setHeaderParam("Content-Type", PatchStrategy.ServerSideApply);
    request.setQueryParam("fieldManager", options.fieldManager);
    if (options.force) request.setQueryParam("force", "true");
    if (options.dryRun) request.setQueryParam("dryRun", options.dryRun);
    request.setBody(JSON.stringify(spec));
    return this.requestPromise<T>(request);
  }

  /** JSON merge patch (RFC 7386): a null removes a key, e.g. a label another manager set. */
  async mergePatch<T extends KubernetesObject>(spec: T, patch: unknown, fieldManager: string): Promise<T> {
    const path = await this.specUriPath(spec, "patch");
    const request = this.configuration.baseServer.makeRequestContext(path, "PATCH");
    request.setHeaderParam("Accept", "application/json");
    request.setHeaderParam("Content-Type", PatchStrategy.MergePatch);
    request.setQueryParam("fieldManager", fieldManager);
    request.setBody(JSON.stringify(patch));
    return this.requestPromise<T>(request);
  }
}
