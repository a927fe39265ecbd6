// label-kata-node: on node.joined, decide whether the node can run Kata, label it for kata-deploy, and taint it until Kata is there.
import type { V1Node } from "@kubernetes/client-node";
import { defineFunction, type FunctionDefinition } from "../../shared/function.ts";
import { apply, recordEvent } from "../../shared/kube-apply.ts";
import { patchNode, readNode } from "../../shared/kata-node.ts";
import { KATA_LABEL, KATA_NOT_READY_TAINT, KATA_RUNTIME_LABEL } from "../../schemas/names.ts";
import { kataCapability } from "./capability.ts";
import { optionsFromEnv, type LabelKataNodeOptions } from "./options.ts";
import { runtimeClass } from "./runtime-classes.ts";
import { startupTaintPatch } from "./startup-taint.ts";

export { optionsFromEnv, type LabelKataNodeOptions } from "./options.ts";

export const FIELD_MANAGER = "icn-label-kata-node";

export function labelKataNode(
  options: LabelKataNodeOptions = optionsFromEnv(),
): FunctionDefinition<"node.joined"> {
  return defineFunction({
    name: "label-kata-node",
    on: "node.joined",
    emits: ["node.kata-enabled", "node.kata-unsupported"],
    concurrency: 8,
    handle: async (event, ctx) => {
      const { node: name, uid } = event.data;
      const node = await readNode(ctx.kube, name, uid);
      const { capable, reason } = kataCapability(node);
      const value = capable ? "enabled" : "unsupported";
      // Only our label: kata-deploy owns katacontainers.io/kata-runtime, and SSA leaves it alone.
      const labelled = await apply<V1Node>(
        ctx.kube,
        { apiVersion: "v1", kind: "Node", metadata: { name, labels: { [KATA_LABEL]: value } } },
        FIELD_MANAGER,
      );
      // After the label: kata-deploy installs only on labelled nodes, and the taint's clock starts with that.
      const taint = startupTaintPatch(labelled, capable, new Date());
      if (taint) await patchNode(ctx.kube, labelled, taint, FIELD_MANAGER);
      const classes = capable
        ? options.shims.map((shim) => runtimeClass(shim, options.overhead?.[shim]))
        : [];
      for (const rc of classes) await apply(ctx.kube, rc, FIELD_MANAGER);
      const waits =
        capable && taint
          ? `; tainted ${KATA_NOT_READY_TAINT}:NoSchedule until kata-deploy labels it ${KATA_RUNTIME_LABEL}=true`
          : "";
      await recordEvent(ctx.kube, node, {
        reason: capable ? "KataEnabled" : "KataUnsupported",
        action: "Label",
        note: `${KATA_LABEL}=${value}: ${reason}${waits}`,
        controller: "label-kata-node",
        type: capable ? "Normal" : "Warning",
      });
      const runtimeClasses = classes.map((rc) => rc.metadata?.name ?? "");
      await ctx.emit(
        capable ? "node.kata-enabled" : "node.kata-unsupported",
        capable ? { node: name, reason, runtimeClasses } : { node: name, reason },
      );
    },
  });
}
