// An outcome's history: bounded, oldest first, a still-running step replaced by how it ended.
import {
  describeVia,
  historyAfter,
  HISTORY_LIMIT,
  MAX_REASON_LENGTH,
  transitionsOf,
  viaOf,
  type Via,
} from "./outcome-history.ts";
import type { Outcome } from "./outcomes.ts";

const at = (n: number): string => new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString();

function anOutcome(overrides: Partial<Outcome> = {}): Outcome {
  return {
    event: { id: "evt-1", source: "urn:portal", type: "org.akraino.icn.node.joined" },
    function: "label-kata-node",
    state: "retrying",
    attempts: 1,
    error: { code: "KUBE_UNAVAILABLE", message: "apiserver down" },
    results: [],
    updatedAt: at(0),
    ...overrides,
  };
}

/** What the host writes, record after record: each next one's history grows from the one before. */
function run(steps: readonly Partial<Outcome>[]): Outcome {
  let prior: Outcome | undefined;
  steps.forEach((step, i) => {
    const next = anOutcome({ updatedAt: at(i), ...step });
    prior = { ...next, ...historyAfter(prior, next.attempts, next.via) };
  });
  if (!prior) throw new Error("no steps");
  return prior;
}

const retries = (n: number): Partial<Outcome>[] => Array.from({ length: n }, (_, i) => ({ attempts: i + 1 }));
const redrive: Via = { kind: "redrive", id: "redrive-7-ab12", by: "alice", reason: "OPS-7" };

describe("historyAfter", () => {
  it("gives a first record no history at all", () => {
    expect(historyAfter(undefined, 1)).toEqual({});
    expect(Object.keys(run([{ state: "succeeded", error: undefined }]))).not.toContain("history");
  });

  it("tells a dead-lettered and redriven event's story: each attempt, the dead letter, the redrive by whom", () => {
    const outcome = run([
      ...retries(8),
      { state: "dead-lettered", attempts: 9 },
      { state: "succeeded", attempts: 1, error: undefined, replay: true, via: redrive },
    ]);
    const { transitions, earlier } = transitionsOf(outcome);
    expect(earlier).toBe(0);
    expect(transitions.map((t) => [t.state, t.attempt, t.code])).toEqual([
      ...Array.from({ length: 8 }, (_, i) => ["retrying", i + 1, "KUBE_UNAVAILABLE"]),
      ["dead-lettered", 9, "KUBE_UNAVAILABLE"],
      ["succeeded", 1, undefined],
    ]);
    expect(transitions.at(-1)?.via).toEqual(redrive);
    expect(transitions.map((t) => t.at)).toEqual(Array.from({ length: 10 }, (_, i) => at(i)));
  });

  it(`keeps at most ${HISTORY_LIMIT} transitions before the current one and counts the rest`, () => {
    const outcome = run(retries(HISTORY_LIMIT + 6));
    expect(outcome.history).toHaveLength(HISTORY_LIMIT);
    expect(outcome.earlier).toBe(5);
    const { transitions, earlier } = transitionsOf(outcome);
    expect(earlier + transitions.length).toBe(HISTORY_LIMIT + 6);
    // The newest are kept: the oldest kept one is the attempt right after those counted.
    expect(transitions.map((t) => t.attempt)).toEqual(
      Array.from({ length: HISTORY_LIMIT + 1 }, (_, i) => i + 6),
    );
  });

  it("the bound holds however long the story gets", () => {
    const outcome = run(retries(500));
    expect(outcome.history).toHaveLength(HISTORY_LIMIT);
    expect(outcome.earlier).toBe(500 - 1 - HISTORY_LIMIT);
    expect(JSON.stringify(outcome).length).toBeLessThan(2048);
  });

  it("drops a `received` step once the same attempt's outcome replaces it", () => {
    const outcome = run([
      { state: "received", attempts: 1, error: undefined },
      { state: "retrying", attempts: 1 },
      { state: "received", attempts: 2, error: { code: "KUBE_UNAVAILABLE", message: "x" } },
      { state: "succeeded", attempts: 2, error: undefined },
    ]);
    expect(transitionsOf(outcome).transitions.map((t) => [t.state, t.attempt])).toEqual([
      ["retrying", 1],
      ["succeeded", 2],
    ]);
  });

  it("keeps a `received` step whose attempt never ended (its host died), and one before a replay", () => {
    const crashed = run([
      { state: "received", attempts: 1, error: undefined },
      { state: "succeeded", attempts: 2, error: undefined },
    ]);
    expect(crashed.history?.map((t) => t.state)).toEqual(["received"]);
    const replayed = run([
      { state: "received", attempts: 1, error: undefined },
      { state: "succeeded", attempts: 1, error: undefined, via: redrive },
    ]);
    expect(replayed.history?.map((t) => t.state)).toEqual(["received"]);
  });
});

describe("viaOf", () => {
  it("tells a redrive from a replay by its id, and cuts a long reason", () => {
    expect(viaOf("redrive-7-ab12", "alice", "OPS-7")).toEqual(redrive);
    expect(viaOf("replay-0a1b2c", "bob")).toEqual({ kind: "replay", id: "replay-0a1b2c", by: "bob" });
    const long = viaOf("replay-1", "bob", "x".repeat(1000)).reason ?? "";
    expect(long).toHaveLength(MAX_REASON_LENGTH);
    expect(long.endsWith("…")).toBe(true);
  });

  it("reads as one line for a table", () => {
    expect(describeVia(redrive)).toBe('redrive by alice: "OPS-7"');
    expect(describeVia({ kind: "replay", id: "replay-1" })).toBe("replay");
    expect(describeVia(undefined)).toBe("");
  });
});
