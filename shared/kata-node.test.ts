import type { V1Node, V1Taint } from "@kubernetes/client-node";
import {
  addNotReadyTaint,
  kataInstall,
  kataInstallDeadlineFromEnv,
  overdueAt,
  removeNotReadyTaint,
} from "./kata-node.ts";

const OURS: V1Taint = { key: "icn.akraino.org/kata-not-ready", effect: "NoSchedule" };
const GPU: V1Taint = { key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" };
const CORDON: V1Taint = { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" };
const AT = "2026-11-29T10:00:00.000Z";

const aNode = (spec: { taints?: V1Taint[]; runtime?: string; taintedAt?: string } = {}): V1Node => ({
  metadata: {
    name: "intel-1",
    resourceVersion: "41",
    labels: spec.runtime ? { "katacontainers.io/kata-runtime": spec.runtime } : {},
    annotations: spec.taintedAt ? { "icn.akraino.org/kata-tainted-at": spec.taintedAt } : {},
  },
  spec: { taints: spec.taints },
});

describe("kataInstall", () => {
  test("a tainted node waiting for kata-deploy", () => {
    expect(kataInstall(aNode({ taints: [GPU, OURS], runtime: "false", taintedAt: AT }))).toEqual({
      ready: false,
      tainted: true,
      taintedAt: Date.parse(AT),
    });
  });

  test("ready only when kata-deploy's label is exactly true", () => {
    expect(kataInstall(aNode({ runtime: "true" })).ready).toBe(true);
    expect(kataInstall(aNode({ runtime: "True" })).ready).toBe(false);
  });

  test("another manager's taint is not ours, and an unreadable time is unknown", () => {
    expect(kataInstall(aNode({ taints: [GPU], taintedAt: "soon" }))).toEqual({
      ready: false,
      tainted: false,
    });
  });
});

describe("overdueAt", () => {
  const deadline = 600_000;
  test("the taint's time plus the deadline, while the node waits", () => {
    const install = kataInstall(aNode({ taints: [OURS], taintedAt: AT }));
    expect(overdueAt(install, deadline)).toBe(Date.parse(AT) + deadline);
  });

  test.each([
    ["ready", aNode({ taints: [OURS], taintedAt: AT, runtime: "true" })],
    ["not tainted", aNode({ taintedAt: AT })],
    ["tainted at an unknown time", aNode({ taints: [OURS] })],
  ])("never, when %s", (_, node) => {
    expect(overdueAt(kataInstall(node), deadline)).toBeUndefined();
  });
});

describe("the taint patches", () => {
  test("adding keeps every other taint, stamps the time and carries the resourceVersion read", () => {
    const patch = addNotReadyTaint(aNode({ taints: [GPU, CORDON] }), new Date(AT));
    expect(patch).toEqual({
      metadata: { resourceVersion: "41", annotations: { "icn.akraino.org/kata-tainted-at": AT } },
      spec: { taints: [GPU, CORDON, OURS] },
    });
  });

  test("adding to a node that has it already is nothing (a replay)", () => {
    expect(addNotReadyTaint(aNode({ taints: [OURS], taintedAt: AT }), new Date())).toBeUndefined();
  });

  test("removing takes ours and its time, and nothing else", () => {
    expect(removeNotReadyTaint(aNode({ taints: [GPU, OURS, CORDON], taintedAt: AT }))).toEqual({
      metadata: { resourceVersion: "41", annotations: { "icn.akraino.org/kata-tainted-at": null } },
      spec: { taints: [GPU, CORDON] },
    });
  });

  test("removing the last taint clears the list; removing from an untainted node is nothing", () => {
    expect(removeNotReadyTaint(aNode({ taints: [OURS] }))?.spec.taints).toBeNull();
    expect(removeNotReadyTaint(aNode({ taints: [GPU] }))).toBeUndefined();
  });
});

test("the install deadline comes from ICN_KATA_INSTALL_DEADLINE_MS, ten minutes by default", () => {
  expect(kataInstallDeadlineFromEnv({})).toBe(600_000);
  expect(kataInstallDeadlineFromEnv({ ICN_KATA_INSTALL_DEADLINE_MS: " 5000 " })).toBe(5000);
  expect(() => kataInstallDeadlineFromEnv({ ICN_KATA_INSTALL_DEADLINE_MS: "10m" })).toThrow(
    /ICN_KATA_INSTALL_DEADLINE_MS must be a non-negative integer/,
  );
});
