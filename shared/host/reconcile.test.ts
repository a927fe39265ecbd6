import { reconcile, readIfPresent, type Reconcilable } from "./reconcile.ts";

/** A JetStream object held in memory; `refuse` makes its writes fail as NATS refuses a user's publish. */
function anObject(current: object | undefined, refuse = false): Reconcilable & { writes: string[] } {
  const writes: string[] = [];
  const write = (what: string) => (): Promise<void> => {
    writes.push(what);
    return refuse
      ? Promise.reject(new Error("Permissions Violation for Publish to $JS.API.X"))
      : Promise.resolve();
  };
  return {
    what: "consumer f on S",
    wanted: { filter_subjects: ["icn.pod.unsafe"], max_deliver: -1 },
    read: () => Promise.resolve(current),
    create: write("create"),
    update: write("update"),
    writes,
  };
}

const wantedNow = { filter_subjects: ["icn.pod.unsafe"], max_deliver: -1, num_waiting: 0 };

test("create: a missing object is created, a different one updated, an equal one left alone", async () => {
  const missing = anObject(undefined);
  const changed = anObject({ ...wantedNow, filter_subjects: ["icn.>"] });
  const same = anObject(wantedNow);
  expect(await reconcile(missing, "create")).toBe("created");
  expect(await reconcile(changed, "create")).toBe("updated");
  expect(await reconcile(same, "create")).toBe("unchanged");
  expect([missing.writes, changed.writes, same.writes]).toEqual([["create"], ["update"], []]);
});

test("bind: nothing is written; missing or different is BUS_NOT_PROVISIONED, naming what and how to fix it", async () => {
  const missing = anObject(undefined);
  await expect(reconcile(missing, "bind")).rejects.toMatchObject({
    code: "BUS_NOT_PROVISIONED",
    retryable: false,
    message: expect.stringMatching(/^consumer f on S does not exist; run `icnctl provision`/) as string,
  });
  const changed = anObject({ ...wantedNow, filter_subjects: ["icn.>"] });
  await expect(reconcile(changed, "bind")).rejects.toMatchObject({
    message: expect.stringContaining(
      'differs from what this release needs (filter_subjects: have ["icn.>"], want ["icn.pod.unsafe"])',
    ) as string,
  });
  expect(await reconcile(anObject(wantedNow), "bind")).toBe("unchanged");
  expect([missing.writes, changed.writes]).toEqual([[], []]);
});

test("create, when NATS refuses the write: BUS_NOT_PROVISIONED, not a bare permissions error", async () => {
  await expect(reconcile(anObject(undefined, true), "create")).rejects.toMatchObject({
    code: "BUS_NOT_PROVISIONED",
    message: expect.stringMatching(
      /does not exist and this NATS user may not fix it; run `icnctl provision`/,
    ) as string,
  });
});

test("readIfPresent: a missing stream or consumer is undefined, any other failure is thrown", async () => {
  const failing = (message: string) => (): Promise<object> => Promise.reject(new Error(message));
  await expect(readIfPresent(failing("consumer not found"))).resolves.toBeUndefined();
  await expect(readIfPresent(failing("stream not found"))).resolves.toBeUndefined();
  await expect(readIfPresent(failing("TIMEOUT"))).rejects.toThrow("TIMEOUT");
});
