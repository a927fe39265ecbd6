import type { KubernetesObject, V1Lease, V1Pod } from "@kubernetes/client-node";
import { pino } from "pino";
import type { Kube } from "../../shared/kube.ts";
import { claimName, QuarantineClaims } from "./claims.ts";

/** The apiserver's Lease store, as far as claims use it: create (409 when taken), read, list, delete. */
function fakeLeases(start = Date.now()): {
  kube: Kube;
  leases: Map<string, V1Lease & { created: number }>;
  calls: string[];
} {
  const leases = new Map<string, V1Lease & { created: number }>();
  const calls: string[] = [];
  let clock = start;
  const fail = (code: number): Promise<never> =>
    Promise.reject(Object.assign(new Error(`HTTP ${code}`), { code }));
  const objects = {
    create: (lease: V1Lease) => {
      calls.push("create");
      const name = lease.metadata?.name ?? "";
      if (leases.has(name)) return fail(409);
      leases.set(name, { ...lease, created: clock++ });
      return Promise.resolve(lease);
    },
    read: (ref: KubernetesObject) => {
      calls.push("read");
      const lease = leases.get(ref.metadata?.name ?? "");
      return lease ? Promise.resolve(lease) : fail(404);
    },
    list: () => {
      calls.push("list");
      const items = [...leases.values()].map((l) => ({
        ...l,
        metadata: { ...l.metadata, creationTimestamp: new Date(l.created) },
      }));
      return Promise.resolve({ items });
    },
    delete: (ref: KubernetesObject) => {
      calls.push("delete");
      return leases.delete(ref.metadata?.name ?? "") ? Promise.resolve({}) : fail(404);
    },
  };
  return { kube: { objects } as unknown as Kube, leases, calls };
}

const log = pino({ level: "silent" });
const aPod = (uid: string): V1Pod => ({ metadata: { name: `p-${uid}`, namespace: "acme", uid } });
/** Asks `claims` for a pod's claim on behalf of an event, as a delivery (or a redelivery) does. */
const take =
  (claims: QuarantineClaims, kube: Kube) =>
  async (uid: string, holder: string, redelivered = false): Promise<boolean> =>
    (await claims.take({ kube, log }, aPod(uid), { holder, redelivered })) !== undefined;

test("the first holder wins; another holder loses, and its repeats cost no request", async () => {
  const { kube, leases, calls } = fakeLeases();
  const claims = new QuarantineClaims({ sweepEveryMs: Infinity });
  expect(await take(claims, kube)("u1", "event-a")).toBe(true);
  expect(leases.get(claimName("u1"))?.spec?.holderIdentity).toBe("event-a");
  expect(leases.get(claimName("u1"))?.metadata?.namespace).toBe("icn-system");
  const before = calls.length;
  for (let i = 0; i < 3; i++) expect(await take(claims, kube)("u1", "event-b")).toBe(false);
  expect(calls.length).toBe(before);
});

test("the holder's redelivery gets the same token back: it names the pod's Event once", async () => {
  const { kube } = fakeLeases();
  const first = await new QuarantineClaims({ sweepEveryMs: Infinity }).take({ kube, log }, aPod("u1"), {
    holder: "event-a",
    redelivered: false,
  });
  const again = await new QuarantineClaims({ sweepEveryMs: Infinity }).take({ kube, log }, aPod("u1"), {
    holder: "event-a",
    redelivered: true,
  });
  expect(first).toMatch(/^[0-9a-f-]{36}$/);
  expect(again).toBe(first);
});

test("a redelivery of the holder (its host died after claiming) finds the claim is its own", async () => {
  const { kube } = fakeLeases();
  await take(new QuarantineClaims({ sweepEveryMs: Infinity }), kube)("u1", "event-a");
  const restarted = new QuarantineClaims({ sweepEveryMs: Infinity });
  expect(await take(restarted, kube)("u1", "event-b")).toBe(false);
  expect(await take(restarted, kube)("u1", "event-a")).toBe(false);
  expect(await take(restarted, kube)("u1", "event-a", true)).toBe(true);
  expect(await take(restarted, kube)("u1", "event-b", true)).toBe(false);
});

test("a sweep deletes the claims past their retention and forgets what it knew", async () => {
  const { kube, leases } = fakeLeases(0);
  let now = 0;
  const claims = new QuarantineClaims({ retentionMs: 10, sweepEveryMs: 100 }, () => now);
  await take(claims, kube)("old", "event-a"); // the first take sweeps (nothing yet)
  now = 50; // the fake stamps creations 0, 1, ...: "old" is past its 10 ms, but no sweep is due
  expect(await take(claims, kube)("new", "event-b")).toBe(true);
  expect(leases.has(claimName("old"))).toBe(true);
  now = 200;
  expect(await take(claims, kube)("old", "event-c")).toBe(true);
  expect(leases.get(claimName("old"))?.spec?.holderIdentity).toBe("event-c");
  expect(leases.has(claimName("new"))).toBe(false);
});
