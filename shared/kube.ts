// The Kubernetes clients a handler gets in its context, built once per host from a KubeConfig.
import { AsyncLocalStorage } from "node:async_hooks";
import { CoreV1Api, KubeConfig, type RequestContext } from "@kubernetes/client-node";
import { RawObjectApi } from "./raw-object-api.ts";

export interface Kube {
  config: KubeConfig;
  core: CoreV1Api;
  /** Generic client: server-side apply and any kind the API serves. */
  objects: RawObjectApi;
  /**
   * Runs `fn` so that every request it makes, through any of these clients, carries `signal`: the host
   * runs each handler attempt this way, so its deadline aborts the calls themselves (see
   * shared/host/deadline.ts), not only the wait for them.
   */
  withSignal<T>(signal: AbortSignal, fn: () => T): T;
}

/** The signal of the attempt a request is made in, kept per async context. */
export type AttemptSignals = AsyncLocalStorage<AbortSignal>;

/**
 * client-node asks its KubeConfig to authenticate every request, whichever client sends it: the one
 * place a signal can join each call without every call site passing it.
 */
class SignalledKubeConfig extends KubeConfig {
  readonly #signals: AttemptSignals;

  constructor(from: KubeConfig, signals: AttemptSignals) {
    super();
    this.loadFromOptions({
      clusters: from.clusters,
      users: from.users,
      contexts: from.contexts,
      currentContext: from.currentContext,
    });
    this.#signals = signals;
  }

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const signal = this.#signals.getStore();
    if (signal) context.setSignal(signal);
  }
}

export function kubeFromConfig(config: KubeConfig, signals: AttemptSignals = new AsyncLocalStorage()): Kube {
  const signalled = new SignalledKubeConfig(config, signals);
  return {
    config: signalled,
    core: signalled.makeApiClient(CoreV1Api),
    objects: RawObjectApi.forConfig(signalled),
    withSignal: (signal, fn) => signals.run(signal, fn),
  };
}

/** Uses KUBECONFIG when set, else the in-cluster service account. */
export function kubeFromEnvironment(signals?: AttemptSignals): Kube {
  const config = new KubeConfig();
  config.loadFromDefault();
  return kubeFromConfig(config, signals);
}
