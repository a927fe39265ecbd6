// How report-kata-failure is configured: the install deadline (the node watcher's too), and the clock skew it forgives.
import { maxClockSkewFromEnv } from "../../shared/clock.ts";
import { kataInstallDeadlineFromEnv } from "../../shared/kata-node.ts";

export interface ReportKataFailureOptions {
  /** How long kata-deploy may take on a tainted node (ICN_KATA_INSTALL_DEADLINE_MS). */
  installDeadlineMs: number;
  /**
   * The taint's time comes from label-kata-node's clock and the hint from the node watcher's: a hint that
   * is early by less than this (ICN_MAX_CLOCK_SKEW_MS) is no reason to refuse it.
   */
  clockSkewMs: number;
}

export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): ReportKataFailureOptions {
  return { installDeadlineMs: kataInstallDeadlineFromEnv(env), clockSkewMs: maxClockSkewFromEnv(env) };
}
