// A capable node waits under the startup taint until kata-deploy has installed Kata there; an incapable one never waits.
import type { V1Node } from "@kubernetes/client-node";
import {
  addNotReadyTaint,
  kataInstall,
  removeNotReadyTaint,
  type NodePatch,
} from "../../shared/kata-node.ts";

/** The patch that makes the node's startup taint match its capability, or undefined when it already does. */
export function startupTaintPatch(node: V1Node, capable: boolean, now: Date): NodePatch | undefined {
  if (!capable) return removeNotReadyTaint(node);
  // Installed already (kata-deploy was first): nothing to wait for. A taint still there is untaint-kata-node's.
  if (kataInstall(node).ready) return undefined;
  return addNotReadyTaint(node, now);
}
