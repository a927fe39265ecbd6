import type { V1Node, V1Taint } from "@kubernetes/client-node";
import { startupTaintPatch } from "./startup-taint.ts";

const OURS: V1Taint = { key: "icn.akraino.org/kata-not-ready", effect: "NoSchedule" };
const OTHER: V1Taint = { key: "dedicated", value: "edge", effect: "NoExecute" };
const NOW = new Date("2026-11-29T10:00:00.000Z");
const aNode = (taints: V1Taint[], runtime?: string): V1Node => ({
  metadata: {
    name: "n",
    resourceVersion: "7",
    labels: runtime ? { "katacontainers.io/kata-runtime": runtime } : {},
  },
  spec: { taints },
});

test("a capable node that kata-deploy has not finished gets the taint beside its others", () => {
  expect(startupTaintPatch(aNode([OTHER], "false"), true, NOW)?.spec.taints).toEqual([OTHER, OURS]);
  expect(startupTaintPatch(aNode([]), true, NOW)?.spec.taints).toEqual([OURS]);
});

test("a capable node kata-deploy already labelled ready is not tainted", () => {
  expect(startupTaintPatch(aNode([OTHER], "true"), true, NOW)).toBeUndefined();
});

test("a replay on a tainted node changes nothing", () => {
  expect(startupTaintPatch(aNode([OURS, OTHER]), true, NOW)).toBeUndefined();
});

test("an incapable node is never tainted, and loses a taint of ours from an earlier decision", () => {
  expect(startupTaintPatch(aNode([OTHER]), false, NOW)).toBeUndefined();
  expect(startupTaintPatch(aNode([OURS, OTHER]), false, NOW)?.spec.taints).toEqual([OTHER]);
});
