import type { V1Namespace, V1Pod, V1RuntimeClass } from "@kubernetes/client-node";
import type { KataRuntime } from "../../shared/kata.ts";
import { optionsFromEnv } from "./options.ts";
import { tokenBucket } from "./rate-limit.ts";
import { verdict, type PodFacts } from "./verdict.ts";

const KATA: KataRuntime = { classes: ["kata-qemu"], handlers: ["kata-qemu", "kata-clh"] };
const pod = (runtimeClassName?: string): V1Pod => ({
  metadata: { name: "p", namespace: "acme", uid: "u1" },
  spec: { runtimeClassName, containers: [] },
});
const runtimeClass = (name: string, handler: string): V1RuntimeClass => ({ metadata: { name }, handler });
const tenantNs: V1Namespace = { metadata: { name: "acme", labels: { "icn.akraino.org/tenant": "acme" } } };
const plainNs: V1Namespace = { metadata: { name: "kube-system" } };
const facts = (p: V1Pod | undefined, ns: V1Namespace, rc?: V1RuntimeClass): PodFacts => ({
  pod: p,
  namespace: ns,
  runtimeClass: rc,
});

test.each([
  ["a runc pod in a tenant namespace", facts(pod("runc"), tenantNs, runtimeClass("runc", "runc")), {}, true],
  ["a pod with no class in a tenant namespace", facts(pod(), tenantNs), { uid: "u1" }, true],
  [
    "a kata- class whose handler is runc",
    facts(pod("kata-fake"), tenantNs, runtimeClass("kata-fake", "runc")),
    {},
    true,
  ],
  ["a class that does not exist", facts(pod("kata-qemu"), tenantNs), {}, true],
  ["a Kata pod", facts(pod("kata-qemu"), tenantNs, runtimeClass("kata-qemu", "kata-qemu")), {}, false],
  [
    "any name whose handler is Kata",
    facts(pod("secure-vm"), tenantNs, runtimeClass("secure-vm", "kata-clh")),
    {},
    false,
  ],
  ["a pod outside tenant namespaces", facts(pod("runc"), plainNs), {}, false],
  ["a pod that is gone", facts(undefined, tenantNs), {}, false],
  ["a pod with another uid", facts(pod("runc"), tenantNs), { uid: "u2" }, false],
])("%s → quarantine %s", (_name, f, event, expected) => {
  expect(verdict(f, event, KATA).quarantine).toBe(expected);
});

test("the environment's Kata lists are trimmed: ' kata-clh' still counts (it once kept its space)", () => {
  const { kata } = optionsFromEnv({
    ICN_KATA_RUNTIME_CLASSES: "kata-qemu, kata-clh",
    ICN_KATA_HANDLERS: "kata-qemu, kata-clh",
  });
  expect(kata).toEqual({ classes: ["kata-qemu", "kata-clh"], handlers: ["kata-qemu", "kata-clh"] });
  const clh = facts(pod("kata-clh"), tenantNs, runtimeClass("kata-clh", "kata-clh"));
  expect(verdict(clh, {}, kata).quarantine).toBe(false);
});

test("options: defaults, and a bad action or rate is an error naming the variable", () => {
  expect(optionsFromEnv({})).toMatchObject({ action: "isolate", dryRun: false });
  expect(() => optionsFromEnv({ ICN_QUARANTINE_ACTION: "nuke" })).toThrow(/ICN_QUARANTINE_ACTION/);
  expect(() => optionsFromEnv({ ICN_QUARANTINE_DESTRUCTIVE_PER_MINUTE: "lots" })).toThrow(
    /ICN_QUARANTINE_DESTRUCTIVE_PER_MINUTE/,
  );
});

test("the token bucket allows its burst, then its rate", () => {
  let now = 0;
  const bucket = tokenBucket(60, 2, () => now);
  expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([true, true, false]);
  now += 1000; // 60 per minute: one more token each second
  expect([bucket.tryTake(), bucket.tryTake()]).toEqual([true, false]);
});
