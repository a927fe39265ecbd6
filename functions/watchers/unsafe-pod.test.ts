import type { V1Pod } from "@kubernetes/client-node";
import { isTenantNamespace, unsafePod, unsafeReason } from "./unsafe-pod.ts";

const KATA = ["kata-qemu", "secure-vm"];
const aPod = (
  spec: {
    runtimeClassName?: string;
    labels?: Record<string, string>;
    phase?: string;
    deleting?: boolean;
  } = {},
): V1Pod => ({
  metadata: {
    name: "legacy",
    namespace: "acme",
    uid: "u1",
    labels: spec.labels,
    deletionTimestamp: spec.deleting ? new Date() : undefined,
  },
  spec: { runtimeClassName: spec.runtimeClassName, containers: [] },
  status: spec.phase ? { phase: spec.phase } : undefined,
});

test.each([
  ["no runtime class", aPod(), /no runtime class/],
  ["runc", aPod({ runtimeClassName: "runc" }), /runtime class runc is not a Kata class/],
  ["gvisor", aPod({ runtimeClassName: "gvisor" }), /gvisor/],
])("%s is unsafe", (_name, pod, reason) => {
  expect(unsafeReason(pod, KATA)).toMatch(reason);
});

test.each([
  ["a configured Kata class", aPod({ runtimeClassName: "secure-vm" })],
  ["any kata- class", aPod({ runtimeClassName: "kata-clh" })],
  [
    "an already quarantined pod",
    aPod({ runtimeClassName: "runc", labels: { "icn.akraino.org/quarantine": "true" } }),
  ],
  ["a pod being deleted", aPod({ runtimeClassName: "runc", deleting: true })],
  ["a finished pod", aPod({ runtimeClassName: "runc", phase: "Succeeded" })],
])("%s is not reported", (_name, pod) => {
  expect(unsafePod(pod, KATA)).toBeUndefined();
});

test("the report names the pod, its uid and the detector", () => {
  expect(unsafePod(aPod({ runtimeClassName: "runc" }), KATA)).toEqual({
    namespace: "acme",
    pod: "legacy",
    uid: "u1",
    reason: expect.stringContaining("runc") as string,
    detector: "pod-watcher",
  });
});

test("a tenant namespace carries a non-empty tenant label", () => {
  expect(isTenantNamespace({ metadata: { labels: { "icn.akraino.org/tenant": "acme" } } })).toBe(true);
  expect(isTenantNamespace({ metadata: { labels: { "icn.akraino.org/tenant": "" } } })).toBe(false);
  expect(isTenantNamespace({ metadata: { name: "default" } })).toBe(false);
});
