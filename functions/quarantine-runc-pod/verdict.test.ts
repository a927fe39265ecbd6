import type { V1Namespace, V1Pod } from "@kubernetes/client-node";
import { tokenBucket } from "./rate-limit.ts";
import { isKataClass, verdict } from "./verdict.ts";

const pod = (runtimeClassName?: string): V1Pod => ({
  metadata: { name: "p", namespace: "acme", uid: "u1" },
  spec: { runtimeClassName, containers: [] },
});
const tenantNs: V1Namespace = { metadata: { name: "acme", labels: { "icn.akraino.org/tenant": "acme" } } };
const plainNs: V1Namespace = { metadata: { name: "kube-system" } };

test.each([
  ["a runc pod in a tenant namespace", pod("runc"), tenantNs, {}, true],
  ["a pod with no class in a tenant namespace", pod(), tenantNs, { uid: "u1" }, true],
  ["a Kata pod", pod("kata-qemu"), tenantNs, {}, false],
  ["a pod outside tenant namespaces", pod("runc"), plainNs, {}, false],
  ["a pod that is gone", undefined, tenantNs, {}, false],
  ["a pod with another uid", pod("runc"), tenantNs, { uid: "u2" }, false],
])("%s → quarantine %s", (_name, p, ns, event, expected) => {
  expect(verdict(p, ns, event, ["kata-qemu"]).quarantine).toBe(expected);
});

test("configured Kata classes count even without the kata prefix", () => {
  expect(isKataClass("secure-vm", ["secure-vm"])).toBe(true);
  expect(isKataClass("runc", ["secure-vm"])).toBe(false);
  expect(isKataClass(undefined, ["secure-vm"])).toBe(false);
});

test("the token bucket allows its burst, then its rate", () => {
  let now = 0;
  const bucket = tokenBucket(60, 2, () => now);
  expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([true, true, false]);
  now += 1000; // 60 per minute: one more token each second
  expect([bucket.tryTake(), bucket.tryTake()]).toEqual([true, false]);
});
