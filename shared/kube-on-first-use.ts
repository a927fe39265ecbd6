// The Kube a host process hands its handlers, built from the environment when a handler first uses it.
//
// @kubernetes/client-node holds about 85 MB resident once loaded, more than the rest of the host
// together, so a host whose functions never call the API should not carry it.
import { AsyncLocalStorage } from "node:async_hooks";
import { createRequire } from "node:module";
import { extname } from "node:path";
import type { Kube } from "./kube.ts";

// require() because a getter cannot await an import(). The build rewrites import specifiers to
// .js but leaves require() paths alone, so the path names this module's own extension.
const kubeModule = `./kube${extname(import.meta.filename)}`;

const requireKube = (): typeof import("./kube.ts") =>
  createRequire(import.meta.url)(kubeModule) as typeof import("./kube.ts");

export function kubeOnFirstUse(): Kube {
  let kube: Kube | undefined;
  // Made now, so a handler can run under a signal before anything has loaded client-node.
  const signals = new AsyncLocalStorage<AbortSignal>();
  const load = (): Kube => (kube ??= requireKube().kubeFromEnvironment(signals));
  return {
    get config() {
      return load().config;
    },
    get core() {
      return load().core;
    },
    get objects() {
      return load().objects;
    },
    withSignal: (signal, fn) => signals.run(signal, fn),
  };
}
