// The handler-duration histogram, kept as plain bucket counts that prom-client reads when scraped.
//
// prom-client's observe() checks and hashes its labels and makes a closure on every call: at tens of
// thousands of deliveries a second that was more than a no-op handler cost. Here a delivery only bumps
// numbers; the exposition is built from them on a scrape, in the layout prom-client's own gives.
import { Histogram, type Registry } from "prom-client";

type Exposition<L extends string> = Awaited<ReturnType<Histogram<L>["get"]>>;
/** A row of the exposition; `le` is the bucket's bound, a label prom-client adds beside the metric's own. */
interface Row {
  labels: Record<string, string | number>;
  value: number;
  metricName: string;
}

/** One label set's observations: per-bucket counts (not cumulative), the last for values above every bound. */
export class BucketTally {
  readonly counts: number[];
  sum = 0;
  count = 0;
  readonly #bounds: readonly number[];

  constructor(bounds: readonly number[]) {
    this.#bounds = bounds;
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }

  observe(value: number): void {
    let bucket = 0;
    while (bucket < this.#bounds.length && value > this.#bounds[bucket]!) bucket++;
    this.counts[bucket]!++;
    this.sum += value;
    this.count++;
  }
}

export interface TalliedHistogramConfig<L extends string> {
  name: string;
  help: string;
  labelNames: readonly L[];
  buckets: readonly number[];
  registry: Registry;
  /** Every label set with its tally, read on each scrape. */
  tallies(): Iterable<[Record<L, string>, BucketTally]>;
}

export class TalliedHistogram<L extends string> extends Histogram<L> {
  readonly #config: TalliedHistogramConfig<L>;

  constructor(config: TalliedHistogramConfig<L>) {
    const { name, help, labelNames, buckets, registry } = config;
    super({ name, help, labelNames, buckets: [...buckets], registers: [registry] });
    this.#config = config;
  }

  override get(): Promise<Exposition<L>> {
    return Promise.resolve(this.#exposition());
  }

  /** What the registry calls when it renders the text format (prom-client's own histogram has it too). */
  getForPromString(): Promise<Exposition<L>> {
    return this.get();
  }

  #exposition(): Exposition<L> {
    const { name, help, buckets } = this.#config;
    const values: Row[] = [];
    for (const [labels, tally] of this.#config.tallies()) {
      if (tally.count === 0) continue; // as prom-client: a label set appears once observed
      let cumulative = 0;
      buckets.forEach((le, i) => {
        cumulative += tally.counts[i]!;
        values.push({ labels: { le, ...labels }, value: cumulative, metricName: `${name}_bucket` });
      });
      values.push({ labels: { le: "+Inf", ...labels }, value: tally.count, metricName: `${name}_bucket` });
      values.push({ labels: { ...labels }, value: tally.sum, metricName: `${name}_sum` });
      values.push({ labels: { ...labels }, value: tally.count, metricName: `${name}_count` });
    }
    // The shape prom-client's own histogram returns; its typings describe a different one (a numeric
    // type, a collect function), which its registry does not read.
    return { name, help, type: "histogram", values, aggregator: "sum" } as unknown as Exposition<L>;
  }
}
