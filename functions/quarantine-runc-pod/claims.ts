// Who quarantines a pod: a Lease in the platform's namespace, named after the pod's uid. Tenants cannot write
// there, so a claim they made in advance (an Event in their own namespace once counted) cannot stop an eviction.
import { randomUUID } from "node:crypto";
import type { KubernetesObject, V1Lease, V1Pod } from "@kubernetes/client-node";
import { PLATFORM_NAMESPACE } from "../../schemas/names.ts";
import { classifyKubeError } from "../../shared/errors.ts";
import { MANAGED_BY, readIfExists } from "../../shared/kube-apply.ts";
import type { Kube } from "../../shared/kube.ts";
import type { Logger } from "../../shared/logging.ts";

export const CLAIM_LABEL = "icn.akraino.org/claim";
/** A random token kept in the claim: it names the pod's Event, so no tenant can plant that Event in advance. */
const TOKEN_ANNOTATION = "icn.akraino.org/claim-token";
const CLAIM_SELECTOR = `${CLAIM_LABEL}=quarantine`;
const HOUR_MS = 60 * 60_000;

export interface ClaimOptions {
  /** Claims older than this are deleted; a pod still reported after that is quarantined afresh. */
  retentionMs: number;
  /** How often a process looks for claims past their retention (one list request). */
  sweepEveryMs: number;
  /** How many pods' holders a process remembers between sweeps (each saves a request per repeat report). */
  capacity: number;
}

const DEFAULTS: ClaimOptions = { retentionMs: 24 * HOUR_MS, sweepEveryMs: HOUR_MS, capacity: 10_000 };

/** The delivery asking: its event (source and id) is the claim's holder. */
export interface ClaimingEvent {
  holder: string;
  redelivered: boolean;
}

export const claimName = (uid: string): string => `quarantine-${uid}`;

const leaseRef = (name: string): V1Lease => ({
  apiVersion: "coordination.k8s.io/v1",
  kind: "Lease",
  metadata: { name, namespace: PLATFORM_NAMESPACE },
});

/** Who holds a pod's claim, and the claim's token. */
interface Claim {
  holder: string;
  token: string;
}

function claimLease(pod: V1Pod, claim: Claim): V1Lease {
  const { uid = "", namespace, name } = pod.metadata ?? {};
  const { metadata, ...type } = leaseRef(claimName(uid));
  return {
    ...type,
    metadata: {
      ...metadata,
      labels: { ...MANAGED_BY, [CLAIM_LABEL]: "quarantine" },
      annotations: { "icn.akraino.org/pod": `${namespace}/${name}`, [TOKEN_ANNOTATION]: claim.token },
    },
    spec: { holderIdentity: claim.holder },
  };
}

/** Creates the claim: true when this call made it, false when it already existed (409). */
async function createClaim(kube: Kube, pod: V1Pod, claim: Claim): Promise<boolean> {
  try {
    await kube.objects.create(claimLease(pod, claim));
    return true;
  } catch (err) {
    if ((err as { code?: number }).code === 409) return false;
    throw classifyKubeError(err, `claim the quarantine of pod ${pod.metadata?.uid} in ${PLATFORM_NAMESPACE}`);
  }
}

/**
 * One per function instance. Only the holder of a pod's claim records its Event and evicts or deletes
 * it, so that happens once however often, and on however many hosts, the pod is reported. Holders
 * seen are remembered, so a repeat report costs no request; the memory is dropped at each sweep.
 */
export class QuarantineClaims {
  readonly #options: ClaimOptions;
  readonly #now: () => number;
  /** Pod uid → the claim; undefined: claimed by someone, not yet read who. */
  readonly #holders = new Map<string, Claim | undefined>();
  #lastSweep = Number.NEGATIVE_INFINITY;

  constructor(options: Partial<ClaimOptions> = {}, now: () => number = Date.now) {
    this.#options = { ...DEFAULTS, ...options };
    this.#now = now;
  }

  /**
   * The claim's token when the event being handled holds the pod's claim (it made it now, or an earlier
   * attempt of the same event did and died before finishing, which only a redelivery needs to ask),
   * else undefined.
   */
  async take(
    ctx: { kube: Kube; log: Logger },
    pod: V1Pod,
    event: ClaimingEvent,
  ): Promise<string | undefined> {
    await this.#sweepIfDue(ctx.kube, ctx.log);
    const uid = pod.metadata?.uid ?? "";
    const mine = { holder: event.holder, token: randomUUID() };
    if (!this.#holders.has(uid) && (await createClaim(ctx.kube, pod, mine))) {
      this.#remember(uid, mine);
      return mine.token;
    }
    const cached = this.#holders.get(uid);
    const known = cached === undefined && event.redelivered ? await this.#read(ctx.kube, uid) : cached;
    if (!this.#holders.has(uid)) this.#remember(uid, known);
    return known?.holder === event.holder ? known.token : undefined;
  }

  /** Who holds the claim, as stored: a redelivery may be the holder whose host died after claiming. */
  async #read(kube: Kube, uid: string): Promise<Claim | undefined> {
    const lease = await readIfExists(kube, leaseRef(claimName(uid)));
    if (!lease) return undefined;
    const claim = {
      holder: lease.spec?.holderIdentity ?? "",
      token: lease.metadata?.annotations?.[TOKEN_ANNOTATION] ?? "",
    };
    this.#remember(uid, claim);
    return claim;
  }

  #remember(uid: string, claim: Claim | undefined): void {
    this.#holders.set(uid, claim);
    if (this.#holders.size > this.#options.capacity)
      this.#holders.delete(this.#holders.keys().next().value as string);
  }

  /** Housekeeping: a failure is logged and tried again at the next sweep, never fails a quarantine. */
  async #sweepIfDue(kube: Kube, log: Logger): Promise<void> {
    if (this.#now() - this.#lastSweep < this.#options.sweepEveryMs) return;
    this.#lastSweep = this.#now();
    this.#holders.clear();
    try {
      const deleted = await sweepClaims(kube, this.#now() - this.#options.retentionMs);
      if (deleted) log.info({ deleted }, "deleted quarantine claims past their retention");
    } catch (err) {
      log.warn({ err }, "cannot sweep quarantine claims; trying again at the next sweep");
    }
  }
}

/** Deletes the claims created before `before` (ms since the epoch); returns how many. */
export async function sweepClaims(kube: Kube, before: number): Promise<number> {
  const list = await kube.objects.list<V1Lease>(
    "coordination.k8s.io/v1",
    "Lease",
    PLATFORM_NAMESPACE,
    undefined,
    undefined,
    undefined,
    undefined,
    CLAIM_SELECTOR,
  );
  const old = list.items.filter((lease) => createdAt(lease) < before);
  for (const lease of old) await deleteIfPresent(kube, lease);
  return old.length;
}

function createdAt(obj: KubernetesObject): number {
  const created = obj.metadata?.creationTimestamp;
  return created ? new Date(created).getTime() : Number.POSITIVE_INFINITY;
}

async function deleteIfPresent(kube: Kube, lease: V1Lease): Promise<void> {
  try {
    await kube.objects.delete(leaseRef(lease.metadata?.name ?? ""));
  } catch (err) {
    if ((err as { code?: number }).code !== 404) throw err;
  }
}
