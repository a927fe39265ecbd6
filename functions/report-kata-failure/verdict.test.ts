import type { V1Node } from "@kubernetes/client-node";
import { overdueVerdict } from "./verdict.ts";

const TAINTED_AT = Date.parse("2026-11-29T10:00:00.000Z");
const OPTIONS = { installDeadlineMs: 600_000, clockSkewMs: 5_000 };
const aNode = (spec: { tainted?: boolean; runtime?: string; taintedAt?: string } = {}): V1Node => ({
  metadata: {
    name: "intel-1",
    labels: spec.runtime ? { "katacontainers.io/kata-runtime": spec.runtime } : {},
    annotations: { "icn.akraino.org/kata-tainted-at": spec.taintedAt ?? new Date(TAINTED_AT).toISOString() },
  },
  spec: {
    taints: spec.tainted === false ? [] : [{ key: "icn.akraino.org/kata-not-ready", effect: "NoSchedule" }],
  },
});

test("tainted, still not ready, past the deadline: overdue, with how long it waited", () => {
  expect(overdueVerdict(aNode({ runtime: "false" }), OPTIONS, TAINTED_AT + 700_000)).toEqual({
    overdue: true,
    taintedAt: TAINTED_AT,
    waitedMs: 700_000,
  });
});

test("a hint early by less than the clock skew allowed still counts; earlier than that does not", () => {
  expect(overdueVerdict(aNode(), OPTIONS, TAINTED_AT + 596_000)).toMatchObject({ overdue: true });
  expect(overdueVerdict(aNode(), OPTIONS, TAINTED_AT + 590_000)).toEqual({
    overdue: false,
    why: "it was tainted at 2026-11-29T10:00:00.000Z, and is not overdue before 2026-11-29T10:10:00.000Z",
  });
});

test.each([
  ["it became ready", aNode({ runtime: "true" }), /labelled it katacontainers.io\/kata-runtime=true since/],
  [
    "its taint is gone",
    aNode({ tainted: false }),
    /no longer carries the icn.akraino.org\/kata-not-ready taint/,
  ],
  [
    "its time is unreadable",
    aNode({ taintedAt: "a while ago" }),
    /kata-tainted-at annotation is missing or not a date/,
  ],
])("not overdue when %s", (_, node, why) => {
  const verdict = overdueVerdict(node, OPTIONS, TAINTED_AT + 3_600_000);
  expect(verdict.overdue).toBe(false);
  expect(!verdict.overdue && verdict.why).toMatch(why);
});
