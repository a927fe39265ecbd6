// Quarantine under load: pod.unsafe for runc pods older than their tenant, published while the tenants' pods are
// being created, each timed from its publish to pod.quarantined (the pod labelled, its NetworkPolicy in place).
import { jetstream } from "@nats-io/jetstream";
import { CoordinationV1Api, type V1Pod } from "@kubernetes/client-node";
import { claimName } from "../../functions/quarantine-runc-pod/claims.ts";
import { PLATFORM_NAMESPACE } from "../../schemas/names.ts";
import { publishEvent } from "../../shared/events.ts";
import { podUnsafe, unsafePods } from "../reliability/workload.ts";
import { pool } from "./bus-timing.ts";
import type { ScaleContext } from "./scale-plan.ts";
import { byCause, ResultLog } from "./scale-results.ts";
import { percentile, progress, round } from "./support.ts";

/** Where the runc pods live: a namespace of the run's, labelled a tenant's once they are in it. */
export const legacyNamespace = (run: string): string => `${run}-legacy`;

export class QuarantineUnderLoad {
  readonly #ctx: ScaleContext;
  readonly #pods: V1Pod[];
  readonly #results: ResultLog;
  readonly #sentAt = new Map<string, number>();
  readonly #publishing: Promise<unknown>[] = [];

  private constructor(ctx: ScaleContext, pods: V1Pod[]) {
    this.#ctx = ctx;
    this.#pods = pods;
    this.#results = new ResultLog(ctx.nc, ctx.prefix, ["pod.quarantined", "pod.cleared"], byCause);
  }

  /** The runc pods, in a namespace then labelled a tenant's (as adopted workloads are); nothing is published yet. */
  static async prepare(ctx: ScaleContext, count: number): Promise<QuarantineUnderLoad> {
    const namespace = legacyNamespace(ctx.run);
    progress(`quarantine: ${count} runc pods in ${namespace}, a namespace that then becomes a tenant's`);
    return new QuarantineUnderLoad(ctx, await unsafePods(ctx.kube.core, namespace, count));
  }

  /** Spreads the events over the pods' creation: the next one goes out at each further 1/count of it. */
  onCreated = (created: number, total: number): void => {
    const count = this.#pods.length;
    while (this.#sentAt.size < count && created > (this.#sentAt.size * total) / count) {
      const event = podUnsafe(this.#pods[this.#sentAt.size] as V1Pod, "urn:bench:scale");
      this.#sentAt.set(event.id, performance.now());
      this.#publishing.push(publishEvent(jetstream(this.#ctx.nc), this.#ctx.prefix, event));
    }
  };

  async figures(): Promise<Record<string, number>> {
    try {
      await Promise.all(this.#publishing);
      await this.#results.waitFor("quarantine", [...this.#sentAt.keys()], 120_000);
      const latencies = this.#results.latencies(this.#sentAt);
      const cleared = [...this.#results.seen.values()].filter((s) => s.type === "pod.cleared").length;
      progress(`quarantine: ${latencies.length} pods isolated under load, ${cleared} cleared instead`);
      return {
        quarantine_events: latencies.length,
        quarantine_cleared: cleared,
        quarantine_p50_ms: round(percentile(latencies, 50)),
        quarantine_p99_ms: round(percentile(latencies, 99)),
      };
    } finally {
      this.#results.close();
    }
  }

  /** Quarantine's claims on the pods (Leases in the platform's namespace); their namespace goes with the run's. */
  async removeClaims(): Promise<void> {
    const leases = this.#ctx.kube.config.makeApiClient(CoordinationV1Api);
    await pool(this.#pods, 16, (pod) =>
      leases
        .deleteNamespacedLease({ name: claimName(pod.metadata?.uid ?? ""), namespace: PLATFORM_NAMESPACE })
        .then(
          () => undefined,
          () => undefined,
        ),
    );
  }
}
