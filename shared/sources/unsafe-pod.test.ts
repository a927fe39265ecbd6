import type { V1Pod, V1RuntimeClass } from "@kubernetes/client-node";
import type { KataRuntime } from "../kata.ts";
import { isTenantNamespace, unsafePod, unsafeReason, type RuntimeClasses } from "./unsafe-pod.ts";

const KATA: KataRuntime = { classes: ["kata-qemu"], handlers: ["kata-qemu", "kata-clh"] };
const rc = (name: string, handler: string): [string, V1RuntimeClass] => [
  name,
  { metadata: { name }, handler },
];
const CLASSES: RuntimeClasses = new Map([
  rc("kata-qemu", "kata-qemu"),
  rc("secure-vm", "kata-clh"),
  rc("kata-fake", "runc"),
  rc("runc", "runc"),
  rc("gvisor", "runsc"),
]);
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
  [
    "runc",
    aPod({ runtimeClassName: "runc" }),
    /runtime class runc has handler runc, which is not a Kata handler/,
  ],
  ["gvisor", aPod({ runtimeClassName: "gvisor" }), /handler runsc/],
  [
    "a kata- name whose handler is runc",
    aPod({ runtimeClassName: "kata-fake" }),
    /kata-fake has handler runc/,
  ],
  ["a class that does not exist", aPod({ runtimeClassName: "kata-clh" }), /kata-clh does not exist/],
  [
    "a pod that came labelled quarantined",
    aPod({ runtimeClassName: "runc", labels: { "icn.akraino.org/quarantine": "true" } }),
    /handler runc/,
  ],
])("%s is unsafe", (_name, pod, reason) => {
  expect(unsafeReason(pod, CLASSES, KATA)).toMatch(reason);
});

test.each([
  ["a Kata class", aPod({ runtimeClassName: "kata-qemu" })],
  ["any name whose handler is Kata", aPod({ runtimeClassName: "secure-vm" })],
  ["a pod being deleted", aPod({ runtimeClassName: "runc", deleting: true })],
  ["a finished pod", aPod({ runtimeClassName: "runc", phase: "Succeeded" })],
])("%s is not reported", (_name, pod) => {
  expect(unsafePod(pod, CLASSES, KATA)).toBeUndefined();
});

test("the report names the pod, its uid and the detector", () => {
  expect(unsafePod(aPod({ runtimeClassName: "runc" }), CLASSES, KATA)).toEqual({
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
