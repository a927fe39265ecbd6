import { WriteBatch } from "./write-batch.ts";

describe("WriteBatch", () => {
  it("runs the writes queued in one turn together, in order, on a later turn", async () => {
    const batch = new WriteBatch();
    const ran: string[] = [];
    const done = ["a", "b", "c"].map((name) => batch.add(() => ran.push(name)));
    expect(ran).toEqual([]); // nothing written synchronously
    await Promise.resolve();
    expect(ran).toEqual([]); // nor in this turn's microtasks, where nats.js would flush each alone
    await Promise.all(done);
    expect(ran).toEqual(["a", "b", "c"]);
  });

  it("rejects only the write that threw, and still runs the rest", async () => {
    const batch = new WriteBatch();
    const ran: string[] = [];
    const failing = batch.add(() => {
      throw new Error("connection closed");
    });
    const fine = batch.add(() => ran.push("after"));
    await expect(failing).rejects.toThrow("connection closed");
    await expect(fine).resolves.toBe(1); // what the write returned
    expect(ran).toEqual(["after"]);
  });

  it("starts a new batch for writes queued after a flush", async () => {
    const batch = new WriteBatch();
    const ran: string[] = [];
    await batch.add(() => ran.push("first"));
    await batch.add(() => ran.push("second"));
    expect(ran).toEqual(["first", "second"]);
  });

  it("settles as the write's own promise does", async () => {
    const batch = new WriteBatch();
    await expect(batch.add(() => Promise.resolve("stored"))).resolves.toBe("stored");
    await expect(batch.add(() => Promise.reject(new Error("not stored")))).rejects.toThrow("not stored");
  });
});
