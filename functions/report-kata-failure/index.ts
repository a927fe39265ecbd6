// report-kata-failure: on node.kata-overdue, if Kata is still not installed past the deadline, warn on the node and say so.
import { defineFunction, type FunctionDefinition } from "../../shared/function.ts";
import { permanent } from "../../shared/errors.ts";
import { readNode } from "../../shared/kata-node.ts";
import { eventNameFor, recordEvent } from "../../shared/kube-apply.ts";
import { KATA_NOT_READY_TAINT, KATA_RUNTIME_LABEL } from "../../schemas/names.ts";
import { optionsFromEnv, type ReportKataFailureOptions } from "./options.ts";
import { overdueVerdict } from "./verdict.ts";

export { optionsFromEnv, type ReportKataFailureOptions } from "./options.ts";

export function reportKataFailure(
  options: ReportKataFailureOptions = optionsFromEnv(),
): FunctionDefinition<"node.kata-overdue"> {
  return defineFunction({
    name: "report-kata-failure",
    on: "node.kata-overdue",
    emits: ["node.kata-failed"],
    concurrency: 4,
    handle: async (event, ctx) => {
      const { node: name, uid } = event.data;
      const node = await readNode(ctx.kube, name, uid);
      const verdict = overdueVerdict(node, options, Date.now());
      if (!verdict.overdue)
        throw permanent("STALE_HINT", `node ${name} is not overdue for Kata: ${verdict.why}`);
      const taintedAt = new Date(verdict.taintedAt).toISOString();
      const minutes = Math.round(verdict.waitedMs / 60_000);
      const reason = `not labelled ${KATA_RUNTIME_LABEL}=true by kata-deploy ${minutes} min after it was tainted (${taintedAt}; the deadline is ${Math.round(options.installDeadlineMs / 1000)} s): check kata-deploy's pod on the node; the ${KATA_NOT_READY_TAINT} taint stays`;
      // One Warning per taint: a repeated hint (a restarted watcher past JetStream's duplicate window) adds none.
      await recordEvent(ctx.kube, node, {
        reason: "KataInstallOverdue",
        action: "Report",
        note: reason,
        controller: "report-kata-failure",
        type: "Warning",
        name: eventNameFor(name, node.metadata?.uid ?? "", taintedAt),
      });
      await ctx.emit("node.kata-failed", { node: name, reason, taintedAt });
    },
  });
}
