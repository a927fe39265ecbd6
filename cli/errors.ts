// Exit codes with meaning, and the one error type whose message tells the operator what to do next.

/** Scripts branch on these; keep them stable. */
export const EXIT = {
  ok: 0,
  /** Something failed at run time (NATS unreachable, a publish refused...). */
  failure: 1,
  /** The command line or its input is wrong: nothing was done. */
  usage: 2,
  /** The event, dead letter or function named does not exist. */
  notFound: 3,
  /** Some of the work failed (a redrive that dead-lettered again, a replay that could not publish). */
  partial: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class CliError extends Error {
  override readonly name = "CliError";
  readonly exitCode: ExitCode;
  /** What to do about it, printed after the message on the same line. */
  readonly hint: string | undefined;

  constructor(exitCode: ExitCode, message: string, hint?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.exitCode = exitCode;
    this.hint = hint;
  }
}

export function usageError(message: string, hint?: string): CliError {
  return new CliError(EXIT.usage, message, hint);
}

export function notFound(message: string, hint?: string): CliError {
  return new CliError(EXIT.notFound, message, hint);
}

export function partialFailure(message: string, hint?: string): CliError {
  return new CliError(EXIT.partial, message, hint);
}

/** The single line printed for any failure, and the code to exit with. */
export function failureLine(err: unknown): { line: string; exitCode: ExitCode } {
  if (err instanceof CliError) {
    const line = err.hint ? `error: ${err.message}; ${err.hint}` : `error: ${err.message}`;
    return { line: oneLine(line), exitCode: err.exitCode };
  }
  const message = err instanceof Error ? err.message : String(err);
  return {
    line: oneLine(`error: ${message}; rerun with ICN_DEBUG=1 for the stack trace`),
    exitCode: EXIT.failure,
  };
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, " ").trim();
}
