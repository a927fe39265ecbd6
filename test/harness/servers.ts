// Connections to the platform's real servers for integration tests; a missing server fails loudly.
import { KubeConfig } from "@kubernetes/client-node";
import { connect, type NatsConnection } from "@nats-io/transport-node";

function required(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(
      `${name} is not set: integration tests run under the jest global setup, which starts the platform (make test)`,
    );
  return value;
}

export function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(required("KUBECONFIG"));
  return kc;
}

export async function natsConnection(): Promise<NatsConnection> {
  const url = required("NATS_URL");
  try {
    return await connect({ servers: url, timeout: 5000 });
  } catch (err) {
    throw new Error(`cannot reach nats-server at ${url}: ${String(err)}`);
  }
}

/** A name no other test (or earlier run against the same platform) uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

/** The same cluster, seen as another user through the apiserver's impersonation (admin creds). */
export function impersonating(kc: KubeConfig, user: string): KubeConfig {
  const current = kc.getCurrentUser();
  const cluster = kc.getCurrentCluster();
  if (!current || !cluster) throw new Error("kubeconfig has no current user or cluster");
  const as = new KubeConfig();
  as.loadFromOptions({
    clusters: [cluster],
    users: [{ ...current, name: "as", impersonateUser: user }],
    contexts: [{ name: "as", cluster: cluster.name, user: "as" }],
    currentContext: "as",
  });
  return as;
}

/** The same cluster, authenticated with a bearer token only (no admin certificate). */
export function withToken(kc: KubeConfig, token: string): KubeConfig {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error("kubeconfig has no current cluster");
  const as = new KubeConfig();
  as.loadFromOptions({
    clusters: [cluster],
    users: [{ name: "token", token }],
    contexts: [{ name: "token", cluster: cluster.name, user: "token" }],
    currentContext: "token",
  });
  return as;
}

/** Retries `attempt` until it stops throwing: admission policies take a moment to load. */
export async function eventually<T>(attempt: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
