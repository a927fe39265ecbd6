// What became of each event, per function: one KV entry per (event, function), latest state wins.
import { hash } from "node:crypto";
import { Kvm, type KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { ConfirmedPublisher } from "./confirmed-publisher.ts";
import { isResultOrigin, type EmittedResult, type ResultOrigin } from "./emitted.ts";
import type { Transition, Via } from "./outcome-history.ts";
import { DEAD_LETTER_RETENTION_MS } from "./streams.ts";

export const OUTCOME_STATES = ["received", "retrying", "succeeded", "rejected", "dead-lettered"] as const;
export type OutcomeState = (typeof OUTCOME_STATES)[number];

export interface EventRef {
  id: string;
  source: string;
  type: string;
}

export interface Outcome {
  event: EventRef;
  function: string;
  state: OutcomeState;
  attempts: number;
  error?: { code: string; message: string };
  /** Ids of the result events the function emitted for it. */
  results: string[];
  /** Those results' types and data (summarised): what was applied. Absent when there were none. */
  emitted?: EmittedResult[];
  replay?: boolean;
  /** The replay or redrive this record's delivery came through. */
  via?: Via;
  /** The records before this one, oldest first (outcome-history.ts); absent on a first record. */
  history?: Transition[];
  /** How many transitions before `history` were no longer kept. */
  earlier?: number;
  updatedAt: string;
}

/** Everything recorded under one event id: what functions did with it, and, for a result, its cause. */
export interface EventRecords {
  outcomes: Outcome[];
  origins: ResultOrigin[];
}

/** How long a record may wait for JetStream's acknowledgement before it counts as not stored. */
const STORE_TIMEOUT_MS = 10_000;

/**
 * Every event adds keys, so records expire: after as long as its dead letter could still be redriven,
 * "what became of event X?" has nothing left to act on. (The bucket is created with it; a bucket made
 * before keeps its settings until an operator changes them.)
 */
export const OUTCOME_RETENTION_MS = DEAD_LETTER_RETENTION_MS;

/** Versions kept per key: the latest state wins, a few before it show how it got there. */
export const OUTCOME_HISTORY = 5;

const SETTLED: ReadonlySet<OutcomeState> = new Set(["succeeded", "rejected"]);

export const isSettled = (outcome: Outcome | undefined): boolean =>
  outcome !== undefined && SETTLED.has(outcome.state);

const digest = (value: string): string => hash("sha256", value, "hex").slice(0, 20);

// A host sees a handful of sources and a new id per event: only the sources' digests are worth keeping.
const sourceDigests = new Map<string, string>();
const MAX_REMEMBERED_SOURCES = 1024;

function sourceDigest(source: string): string {
  let known = sourceDigests.get(source);
  if (known === undefined) {
    known = digest(source);
    if (sourceDigests.size >= MAX_REMEMBERED_SOURCES) sourceDigests.clear();
    sourceDigests.set(source, known);
  }
  return known;
}

/** Keys start with the id's digest so "what became of event X?" needs only the id. */
export function outcomeKey(event: Pick<EventRef, "id" | "source">, fn: string): string {
  return `${digest(event.id)}.${sourceDigest(event.source)}.${fn}`;
}

export class OutcomeStore {
  readonly #kv: KV;
  readonly #nc: NatsConnection;
  readonly #bucket: string;
  /** Made on the first save(): readers (the CLI, the ingress) never need its subscription. */
  #confirmed?: ConfirmedPublisher;

  private constructor(kv: KV, nc: NatsConnection, bucket: string) {
    this.#kv = kv;
    this.#nc = nc;
    this.#bucket = bucket;
  }

  static async open(nc: NatsConnection, bucket: string, replicas = 1): Promise<OutcomeStore> {
    const kv = await new Kvm(nc).create(bucket, {
      history: OUTCOME_HISTORY,
      replicas,
      ttl: OUTCOME_RETENTION_MS,
    });
    return new OutcomeStore(kv, nc, bucket);
  }

  /**
   * Stores the latest state of an (event, function), confirmed by JetStream, without the cost of a
   * request per record (see confirmed-publisher.ts). A delivery acks its event only once this settles,
   * so an acked event always has its outcome.
   */
  save(outcome: Omit<Outcome, "updatedAt">): Promise<void> {
    const value: Outcome = { ...outcome, updatedAt: new Date().toISOString() };
    const key = outcomeKey(outcome.event, outcome.function);
    this.#confirmed ??= new ConfirmedPublisher(this.#nc, STORE_TIMEOUT_MS);
    return this.#confirmed.publish(`$KV.${this.#bucket}.${key}`, JSON.stringify(value));
  }

  /** Beside the outcome that emitted it: which event a result answers (see emitted.ts). */
  saveOrigin(origin: Omit<ResultOrigin, "updatedAt">): Promise<void> {
    const value: ResultOrigin = { ...origin, updatedAt: new Date().toISOString() };
    this.#confirmed ??= new ConfirmedPublisher(this.#nc, STORE_TIMEOUT_MS);
    const key = outcomeKey(origin.event, origin.function);
    return this.#confirmed.publish(`$KV.${this.#bucket}.${key}`, JSON.stringify(value));
  }

  close(): void {
    this.#confirmed?.close();
  }

  async get(event: Pick<EventRef, "id" | "source">, fn: string): Promise<Outcome | undefined> {
    const entry = await this.#kv.get(outcomeKey(event, fn));
    if (!entry || entry.operation !== "PUT") return undefined;
    return entry.json<Outcome>();
  }

  /** Succeeded or rejected already: a redelivery after a crash need not run the handler again. */
  async isSettled(event: Pick<EventRef, "id" | "source">, fn: string): Promise<boolean> {
    return isSettled(await this.get(event, fn));
  }

  /** Every function's outcome for an event id (from any source). */
  async forEventId(id: string): Promise<Outcome[]> {
    return (await this.recordsOf(id)).outcomes;
  }

  /** Every function's outcome for an event id, and where the id is a result's, what it answers. */
  async recordsOf(id: string): Promise<EventRecords> {
    const keys: string[] = [];
    for await (const key of await this.#kv.keys(`${digest(id)}.>`)) keys.push(key);
    const values = await Promise.all(
      keys.map(async (key) => (await this.#kv.get(key))?.json<Outcome | ResultOrigin>()),
    );
    const records: EventRecords = { outcomes: [], origins: [] };
    for (const value of values) {
      if (value?.event.id !== id) continue;
      if (isResultOrigin(value)) records.origins.push(value);
      else records.outcomes.push(value);
    }
    return records;
  }
}
