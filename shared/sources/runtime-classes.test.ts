import type { V1RuntimeClass } from "@kubernetes/client-node";
import { RuntimeClassIndex } from "./runtime-classes.ts";

const KATA = { classes: ["kata-qemu"], handlers: ["kata-qemu"] };
const rc = (name: string, handler: string): V1RuntimeClass => ({ metadata: { name }, handler });

function setup(): { index: RuntimeClassIndex; lost: () => number } {
  let lost = 0;
  const index = new RuntimeClassIndex(KATA, () => lost++);
  index.onListed();
  index.onEvent("ADDED", rc("kata-qemu", "kata-qemu"));
  index.onEvent("ADDED", rc("runc", "runc"));
  index.onSynced();
  return { index, lost: () => lost };
}

test("the first list fills the index and is no loss", () => {
  const { index, lost } = setup();
  expect([...index.classes.keys()]).toEqual(["kata-qemu", "runc"]);
  expect(lost()).toBe(0);
});

test("a Kata class deleted, or given a non-Kata handler, is a loss; other changes are not", () => {
  const { index, lost } = setup();
  index.onEvent("ADDED", rc("kata-fake", "runc"));
  index.onEvent("DELETED", rc("runc", "runc"));
  expect(lost()).toBe(0);
  index.onEvent("DELETED", rc("kata-qemu", "kata-qemu"));
  expect(lost()).toBe(1);
  index.onEvent("ADDED", rc("kata-qemu", "kata-qemu"));
  index.onEvent("MODIFIED", rc("kata-qemu", "runc"));
  expect(lost()).toBe(2);
});

test("a relist replaces the index: a class deleted while the watch was down is gone, and a loss", () => {
  const { index, lost } = setup();
  index.onListed();
  index.onEvent("ADDED", rc("runc", "runc"));
  expect(lost()).toBe(0);
  index.onSynced();
  expect([...index.classes.keys()]).toEqual(["runc"]);
  expect(lost()).toBe(1);
});
