// The Kube a host process hands its handlers, built from the environment when a handler first uses it.
//
// @kubernetes/client-node holds about 85 MB resident once loaded, more than the rest of the host
// together, so a host whose functions never call the API should not carry it.
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
  const load = (): Kube => (kube ??= requireKube().kubeFromEnvironment());
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
  };
}
