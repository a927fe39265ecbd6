import { DEFAULT_KATA_CLASSES, DEFAULT_KATA_HANDLERS } from "../kata.ts";
import { watcherOptionsFromEnv } from "./index.ts";

test("both watchers over every tenant namespace by default", () => {
  expect(watcherOptionsFromEnv({})).toEqual({
    watchers: ["node-watcher", "pod-watcher"],
    kata: { classes: [...DEFAULT_KATA_CLASSES], handlers: [...DEFAULT_KATA_HANDLERS] },
    nodeSelector: undefined,
    kataInstallDeadlineMs: 600_000,
    namespaceSelector: "icn.akraino.org/tenant",
  });
});

test("the environment narrows what is watched; list entries are trimmed (' kata-clh' still counts)", () => {
  const env = {
    ICN_WATCHERS: "pod-watcher",
    ICN_KATA_RUNTIME_CLASSES: "kata-qemu, kata-clh",
    ICN_KATA_HANDLERS: "kata-fc, kata-clh",
    ICN_WATCH_NAMESPACE_SELECTOR: "icn.akraino.org/tenant=acme",
    ICN_KATA_INSTALL_DEADLINE_MS: "90000",
  };
  expect(watcherOptionsFromEnv(env)).toMatchObject({
    kataInstallDeadlineMs: 90_000,
    watchers: ["pod-watcher"],
    kata: { classes: ["kata-qemu", "kata-clh"], handlers: ["kata-fc", "kata-clh"] },
    namespaceSelector: "icn.akraino.org/tenant=acme",
  });
});

test("an unknown watcher is an error that lists the known ones", () => {
  expect(() => watcherOptionsFromEnv({ ICN_WATCHERS: "nodes" })).toThrow(
    /unknown watcher\(s\) nodes; known: node-watcher, pod-watcher/,
  );
});
