// The demo's platform side: the functions in an in-process host and the two watchers, on a prefix of its own.
import { KubeConfig } from "@kubernetes/client-node";
import { jetstream } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { cordonTenant } from "../../functions/cordon-tenant/index.ts";
import { labelKataNode } from "../../functions/label-kata-node/index.ts";
import {
  optionsFromEnv as provisionOptionsFromEnv,
  provisionTenant,
} from "../../functions/provision-tenant/index.ts";
import { quarantineRuncPod } from "../../functions/quarantine-runc-pod/index.ts";
import { tokenBucket } from "../../functions/quarantine-runc-pod/rate-limit.ts";
import {
  optionsFromEnv as reportKataFailureOptions,
  reportKataFailure,
} from "../../functions/report-kata-failure/index.ts";
import { retireTenant } from "../../functions/retire-tenant/index.ts";
import { uncordonTenant } from "../../functions/uncordon-tenant/index.ts";
import { untaintKataNode } from "../../functions/untaint-kata-node/index.ts";
import { tenantChangeOptionsFromEnv } from "../../shared/tenant-record.ts";
import { startWatchers, type Watchers } from "../../shared/sources/index.ts";
import { configFromEnv, type RuntimeConfig } from "../../shared/config.ts";
import type { AnyFunction } from "../../shared/function.ts";
import { startHost, type Host } from "../../shared/host/host.ts";
import { kubeFromConfig, type Kube } from "../../shared/kube.ts";
import { createLogger } from "../../shared/logging.ts";
import { kataRuntimeFromEnv } from "../../shared/kata.ts";
import { kataInstallDeadlineFromEnv } from "../../shared/kata-node.ts";

export const KATA_CLASSES = ["kata-qemu", "kata-clh"] as const;
/** Marks the demo's nodes, so its node watcher leaves everyone else's alone. */
export const DEMO_NODE_LABEL = "icn.akraino.org/demo-run";

export interface DemoRuntime {
  nc: NatsConnection;
  kube: Kube;
  config: RuntimeConfig;
  host: Host;
  watchers: Watchers;
  functions: string[];
  /** Stops the watchers and drains the host; the run's streams stay, for icnctl to show what happened. */
  stop(): Promise<void>;
}

function demoFunctions(): AnyFunction[] {
  const tenantChanges = tenantChangeOptionsFromEnv({});
  return [
    // The embedded platform's functions act as its admin user, so tamper protection lets it through,
    // beside the functions' in-cluster ServiceAccounts (the policy is one object for the whole cluster).
    provisionTenant({
      ...provisionOptionsFromEnv({ ICN_PLATFORM_IDENTITIES: "icn-admin" }),
    }),
    labelKataNode({ shims: ["qemu", "clh"] }),
    untaintKataNode(),
    reportKataFailure(reportKataFailureOptions({})),
    quarantineRuncPod({
      action: "isolate",
      dryRun: false,
      kata: kataRuntimeFromEnv({}),
      limiter: tokenBucket(30, 5),
    }),
    cordonTenant(tenantChanges),
    uncordonTenant(tenantChanges),
    retireTenant(tenantChanges),
  ] as AnyFunction[];
}

/** `tenant` and `run` scope the watchers to this run's namespace and nodes: a shared platform has others. */
export async function startRuntime(
  platform: { kubeconfig: string; natsUrl: string },
  run: string,
  tenant: string,
): Promise<DemoRuntime> {
  const kc = new KubeConfig();
  kc.loadFromFile(platform.kubeconfig);
  const kube = kubeFromConfig(kc);
  const config = configFromEnv({
    ...process.env,
    NATS_URL: platform.natsUrl,
    ICN_SUBJECT_PREFIX: `demo-${run}`,
  });
  const log = createLogger("demo", process.env.ICN_LOG_LEVEL ?? "silent");
  const nc = await connect({ servers: platform.natsUrl, name: "icn-demo", timeout: 5000 });
  const functions = demoFunctions();
  const host = await startHost({ functions, nc, kube, config, log });
  const watchers = await startWatchers({
    kube,
    js: jetstream(nc),
    config,
    log,
    options: {
      watchers: ["node-watcher", "pod-watcher"],
      kata: kataRuntimeFromEnv({}),
      nodeSelector: `${DEMO_NODE_LABEL}=${run}`,
      kataInstallDeadlineMs: kataInstallDeadlineFromEnv({}),
      namespaceSelector: `icn.akraino.org/tenant=${tenant}`,
    },
  });
  await watchers.synced;
  return {
    nc,
    kube,
    config,
    host,
    watchers,
    functions: functions.map((f) => f.name),
    stop: async () => {
      await watchers.stop();
      await host.drain();
      await nc.close();
    },
  };
}
