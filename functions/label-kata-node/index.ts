// label-kata-node: on node.joined, decide whether the node can run Kata and label it for kata-deploy.
import type { V1Node } from "@kubernetes/client-node";
import { envList } from "../../shared/env.ts";
import { defineFunction, type FunctionDefinition } from "../../shared/function.ts";
import { apply, readIfExists, recordEvent } from "../../shared/kube-apply.ts";
import { permanent } from "../../shared/errors.ts";
import { KATA_LABEL } from "../../schemas/names.ts";
import { kataCapability } from "./capability.ts";
import { runtimeClass } from "./runtime-classes.ts";

export const FIELD_MANAGER = "icn-label-kata-node";

export interface LabelKataNodeOptions {
  shims: readonly string[];
}

export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): LabelKataNodeOptions {
  return {
    shims: envList(env, "ICN_KATA_SHIMS", ["qemu", "clh"]),
  };
}

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
      const node = (await readIfExists(ctx.kube, { apiVersion: "v1", kind: "Node", metadata: { name } })) as
        V1Node | undefined;
      if (!node) throw permanent("NOT_FOUND", `node ${name} does not exist`);
      if (uid && node.metadata?.uid !== uid)
        throw permanent(
          "NOT_FOUND",
          `node ${name} was replaced (uid ${node.metadata?.uid}, event names ${uid})`,
        );
      const { capable, reason } = kataCapability(node);
      const value = capable ? "enabled" : "unsupported";
      // Only our label: kata-deploy owns katacontainers.io/kata-runtime, and SSA leaves it alone.
      await apply(
        ctx.kube,
        { apiVersion: "v1", kind: "Node", metadata: { name, labels: { [KATA_LABEL]: value } } },
        FIELD_MANAGER,
      );
      const classes = capable ? options.shims.map(runtimeClass) : [];
      for (const rc of classes) await apply(ctx.kube, rc, FIELD_MANAGER);
      await recordEvent(ctx.kube, node, {
        reason: capable ? "KataEnabled" : "KataUnsupported",
        action: "Label",
        note: `${KATA_LABEL}=${value}: ${reason}`,
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
