import { watcherOptionsFromEnv } from "./index.ts";

test("both watchers over every tenant namespace by default", () => {
  expect(watcherOptionsFromEnv({})).toEqual({
    watchers: ["node-watcher", "pod-watcher"],
    kataClasses: ["kata-qemu", "kata-clh"],
    nodeSelector: undefined,
    namespaceSelector: "icn.akraino.org/tenant",
  });
});

test("the environment narrows what is watched", () => {
  const env = {
    ICN_WATCHERS: "pod-watcher",
    ICN_KATA_RUNTIME_CLASSES: "kata-fc, secure-vm",
    ICN_WATCH_NAMESPACE_SELECTOR: "icn.akraino.org/tenant=acme",
  };
  expect(watcherOptionsFromEnv(env)).toMatchObject({
    watchers: ["pod-watcher"],
    kataClasses: ["kata-fc", "secure-vm"],
    namespaceSelector: "icn.akraino.org/tenant=acme",
  });
});

test("an unknown watcher is an error that lists the known ones", () => {
  expect(() => watcherOptionsFromEnv({ ICN_WATCHERS: "nodes" })).toThrow(
    /unknown watcher\(s\) nodes; known: node-watcher, pod-watcher/,
  );
});
