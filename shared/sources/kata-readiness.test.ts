import type { V1Node } from "@kubernetes/client-node";
import type { EventData, EventName } from "../../schemas/events.ts";
import { hintKey, KataReadiness, readiness, readinessSelector, type HintReporter } from "./kata-readiness.ts";

const TAINTED_AT = Date.parse("2026-11-29T10:00:00.000Z");
const DEADLINE = 600_000;

const aNode = (
  spec: { tainted?: boolean; runtime?: string; taintedAt?: number; uid?: string } = {},
): V1Node => ({
  metadata: {
    name: "intel-1",
    uid: spec.uid ?? "n-uid",
    labels: {
      "icn.akraino.org/kata": "enabled",
      ...(spec.runtime ? { "katacontainers.io/kata-runtime": spec.runtime } : {}),
    },
    annotations: {
      "icn.akraino.org/kata-tainted-at": new Date(spec.taintedAt ?? TAINTED_AT).toISOString(),
    },
  },
  spec: {
    taints: spec.tainted === false ? [] : [{ key: "icn.akraino.org/kata-not-ready", effect: "NoSchedule" }],
  },
});

describe("readiness", () => {
  test("a tainted node kata-deploy labelled ready is node.kata-ready", () => {
    expect(readiness(aNode({ runtime: "true" }), DEADLINE, TAINTED_AT)).toEqual({ hint: "node.kata-ready" });
  });

  test("a tainted node still installing is looked at again when its deadline passes", () => {
    expect(readiness(aNode({ runtime: "false" }), DEADLINE, TAINTED_AT + 1000)).toEqual({
      recheckAt: TAINTED_AT + DEADLINE,
    });
  });

  test("past the deadline (a restarted watcher computes it from the annotation) it is node.kata-overdue", () => {
    expect(readiness(aNode(), DEADLINE, TAINTED_AT + DEADLINE)).toEqual({ hint: "node.kata-overdue" });
  });

  test("an untainted node calls for nothing, ready or not", () => {
    expect(readiness(aNode({ tainted: false, runtime: "true" }), DEADLINE, TAINTED_AT)).toBeUndefined();
    expect(readiness(aNode({ tainted: false }), DEADLINE, TAINTED_AT + DEADLINE)).toBeUndefined();
  });
});

test("the apiserver is asked only for nodes label-kata-node enabled, narrowed by an optional selector", () => {
  expect(readinessSelector()).toBe("icn.akraino.org/kata=enabled");
  expect(readinessSelector("demo=abc")).toBe("icn.akraino.org/kata=enabled,demo=abc");
});

test("a hint's key tells nodes, kinds and taints apart", () => {
  const keys = [
    hintKey(aNode(), "node.kata-ready"),
    hintKey(aNode(), "node.kata-overdue"),
    hintKey(aNode({ uid: "other" }), "node.kata-ready"),
    hintKey(aNode({ taintedAt: TAINTED_AT + 1 }), "node.kata-ready"),
  ];
  expect(new Set(keys).size).toBe(4);
});

class RecordingReporter implements HintReporter {
  readonly reported: { key: string; name: EventName; data: unknown }[] = [];
  readonly forgotten: string[] = [];
  report<N extends EventName>(key: string, name: N, data: EventData<N>): void {
    this.reported.push({ key, name, data });
  }
  forget(key: string): void {
    this.forgotten.push(key);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe("KataReadiness", () => {
  const stop = new AbortController();
  afterAll(() => stop.abort());

  test("a node whose deadline passes with no watch event is reported overdue by its timer", async () => {
    const reporter = new RecordingReporter();
    const watch = new KataReadiness(reporter, 150, stop.signal);
    watch.onEvent("ADDED", aNode({ taintedAt: Date.now() }));
    expect(watch.waiting).toBe(1);
    expect(reporter.reported).toEqual([]);
    await sleep(300);
    expect(reporter.reported).toEqual([
      {
        key: expect.stringContaining("node.kata-overdue") as string,
        name: "node.kata-overdue",
        data: { node: "intel-1", uid: "n-uid" },
      },
    ]);
    expect(watch.waiting).toBe(0);
  });

  test("a node that turns ready before its deadline is ready, and its timer never fires", async () => {
    const reporter = new RecordingReporter();
    const watch = new KataReadiness(reporter, 150, stop.signal);
    const taintedAt = Date.now();
    watch.onEvent("ADDED", aNode({ taintedAt }));
    watch.onEvent("MODIFIED", aNode({ taintedAt, runtime: "true" }));
    await sleep(300);
    expect(reporter.reported.map((r) => r.name)).toEqual(["node.kata-ready"]);
  });

  test("a deleted node, or a relist, leaves no timer behind", async () => {
    const reporter = new RecordingReporter();
    const watch = new KataReadiness(reporter, 150, stop.signal);
    watch.onEvent("ADDED", aNode({ taintedAt: Date.now() }));
    watch.onEvent("DELETED", aNode({ taintedAt: Date.now() }));
    watch.onEvent("ADDED", aNode({ uid: "u2", taintedAt: Date.now() }));
    watch.onListed();
    expect(watch.waiting).toBe(0);
    await sleep(300);
    expect(reporter.reported).toEqual([]);
    expect(reporter.forgotten).toHaveLength(2);
  });

  test("stopping clears every timer", () => {
    const stopping = new AbortController();
    const watch = new KataReadiness(new RecordingReporter(), 60_000, stopping.signal);
    watch.onEvent("ADDED", aNode({ taintedAt: Date.now() }));
    stopping.abort();
    expect(watch.waiting).toBe(0);
  });
});
