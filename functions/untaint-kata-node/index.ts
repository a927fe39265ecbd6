// untaint-kata-node: on node.kata-ready, once kata-deploy really has labelled the node ready, remove the platform's startup taint.
import { defineFunction, type FunctionDefinition } from "../../shared/function.ts";
import { permanent } from "../../shared/errors.ts";
import { kataInstall, patchNode, readNode, removeNotReadyTaint } from "../../shared/kata-node.ts";
import { eventNameFor, recordEvent } from "../../shared/kube-apply.ts";
import { KATA_NOT_READY_TAINT, KATA_RUNTIME_LABEL } from "../../schemas/names.ts";

export const FIELD_MANAGER = "icn-untaint-kata-node";

export function untaintKataNode(): FunctionDefinition<"node.kata-ready"> {
  return defineFunction({
    name: "untaint-kata-node",
    on: "node.kata-ready",
    emits: ["node.kata-schedulable"],
    concurrency: 8,
    handle: async (event, ctx) => {
      const { node: name, uid } = event.data;
      const node = await readNode(ctx.kube, name, uid);
      if (!kataInstall(node).ready)
        throw permanent(
          "KATA_NOT_READY",
          `node ${name} is labelled ${KATA_RUNTIME_LABEL}=${node.metadata?.labels?.[KATA_RUNTIME_LABEL] ?? "(unset)"}, not true: kata-deploy has not finished installing Kata there, so its ${KATA_NOT_READY_TAINT} taint stays`,
        );
      // Nothing to remove on a replay, or when an operator untainted it first: still schedulable, same answer.
      const patch = removeNotReadyTaint(node);
      if (patch) await patchNode(ctx.kube, node, patch, FIELD_MANAGER);
      const reason = `kata-deploy labelled it ${KATA_RUNTIME_LABEL}=true; the ${KATA_NOT_READY_TAINT} taint ${patch ? "is removed" : "was gone already"}`;
      // Named after the event: a retry or a replay of it records no second Event.
      await recordEvent(ctx.kube, node, {
        reason: "KataReady",
        action: "Untaint",
        note: reason,
        controller: "untaint-kata-node",
        name: eventNameFor(name, event.source, event.id),
      });
      await ctx.emit("node.kata-schedulable", { node: name, reason });
    },
  });
}
