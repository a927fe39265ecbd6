// One way every process stops: on the first SIGTERM or SIGINT, drain, then exit 0 (1 if draining failed).
import type { Logger } from "./logging.ts";

export function drainOnSignals(log: Logger, drain: (signal: string) => Promise<void>): void {
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    drain(signal).then(
      () => {
        log.info("drained; exiting");
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, "drain failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}
