// Is the node's Kata install really overdue? Re-judged from the node as read, whatever the hint said.
import type { V1Node } from "@kubernetes/client-node";
import { kataInstall, overdueAt } from "../../shared/kata-node.ts";
import { KATA_NOT_READY_TAINT, KATA_RUNTIME_LABEL, KATA_TAINTED_AT_ANNOTATION } from "../../schemas/names.ts";
import type { ReportKataFailureOptions } from "./options.ts";

export type Verdict =
  { overdue: true; taintedAt: number; waitedMs: number } | { overdue: false; why: string };

export function overdueVerdict(node: V1Node, options: ReportKataFailureOptions, now: number): Verdict {
  const install = kataInstall(node);
  if (install.ready)
    return { overdue: false, why: `kata-deploy has labelled it ${KATA_RUNTIME_LABEL}=true since` };
  if (!install.tainted)
    return { overdue: false, why: `it no longer carries the ${KATA_NOT_READY_TAINT} taint` };
  const due = overdueAt(install, options.installDeadlineMs);
  if (due === undefined || install.taintedAt === undefined)
    return { overdue: false, why: `its ${KATA_TAINTED_AT_ANNOTATION} annotation is missing or not a date` };
  if (now + options.clockSkewMs < due)
    return {
      overdue: false,
      why: `it was tainted at ${new Date(install.taintedAt).toISOString()}, and is not overdue before ${new Date(due).toISOString()}`,
    };
  return { overdue: true, taintedAt: install.taintedAt, waitedMs: now - install.taintedAt };
}
