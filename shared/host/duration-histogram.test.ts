import fc from "fast-check";
import { Histogram, Registry } from "prom-client";
import { BucketTally, TalliedHistogram } from "./duration-histogram.ts";

const BOUNDS = [0.001, 0.005, 0.01, 0.5, 10];
const OUTCOMES = ["succeeded", "failed"] as const;

interface Observation {
  fn: string;
  outcome: (typeof OUTCOMES)[number];
  seconds: number;
}

/** The same observations through prom-client's own histogram and through ours, as scrape text. */
async function bothExpositions(observations: Observation[]): Promise<[string, string]> {
  const theirs = new Registry();
  const reference = new Histogram({
    name: "h",
    help: "h",
    labelNames: ["function", "outcome"],
    buckets: BOUNDS,
    registers: [theirs],
  });
  const ours = new Registry();
  const tallies = new Map<string, BucketTally>();
  new TalliedHistogram({
    name: "h",
    help: "h",
    labelNames: ["function", "outcome"],
    buckets: BOUNDS,
    registry: ours,
    *tallies() {
      for (const [key, tally] of tallies) {
        const [fn, outcome] = key.split("/");
        yield [{ function: fn!, outcome: outcome! }, tally];
      }
    },
  });
  for (const { fn, outcome, seconds } of observations) {
    reference.observe({ function: fn, outcome }, seconds);
    const key = `${fn}/${outcome}`;
    if (!tallies.has(key)) tallies.set(key, new BucketTally(BOUNDS));
    tallies.get(key)!.observe(seconds);
  }
  return [await theirs.metrics(), await ours.metrics()];
}

/** Lines in a stable order: prom-client lists label sets in first-observed order, ours by function. */
const sorted = (text: string): string[] => text.split("\n").sort();

describe("TalliedHistogram", () => {
  it("scrapes exactly as prom-client's own histogram fed the same observations", async () => {
    const observation = fc.record({
      fn: fc.constantFrom("noop", "provision-tenant"),
      outcome: fc.constantFrom(...OUTCOMES),
      // Exact bounds and values past the last one included: both are where a bucket is easy to get wrong.
      seconds: fc.oneof(fc.constantFrom(...BOUNDS, 0, 20), fc.double({ min: 0, max: 15, noNaN: true })),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(observation, { maxLength: 40 }), async (observations) => {
        const [theirs, ours] = await bothExpositions(observations);
        expect(sorted(ours)).toEqual(sorted(theirs));
      }),
      { numRuns: 300 },
    );
  });

  it("shows a label set only once it has an observation", async () => {
    const [, ours] = await bothExpositions([{ fn: "noop", outcome: "failed", seconds: 0.002 }]);
    expect(ours).toContain('h_bucket{le="0.005",function="noop",outcome="failed"} 1');
    expect(ours).toContain('h_bucket{le="0.001",function="noop",outcome="failed"} 0');
    expect(ours).toContain('h_count{function="noop",outcome="failed"} 1');
    expect(ours).not.toContain('outcome="succeeded"');
  });

  it("serves the same figures as JSON", async () => {
    const registry = new Registry();
    const tally = new BucketTally(BOUNDS);
    tally.observe(0.003);
    const histogram = new TalliedHistogram({
      name: "h",
      help: "h",
      labelNames: ["function"],
      buckets: BOUNDS,
      registry,
      tallies: () => [[{ function: "noop" }, tally]],
    });
    const { values } = await histogram.get();
    expect(values).toContainEqual({
      labels: { le: 0.005, function: "noop" },
      value: 1,
      metricName: "h_bucket",
    });
    expect(values).toContainEqual({ labels: { function: "noop" }, value: 0.003, metricName: "h_sum" });
  });
});
