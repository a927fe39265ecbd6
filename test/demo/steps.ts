// The demo's narrator: runs each step under a timeout, prints it with the time since the start, and sums up.

export interface Said {
  /** The line printed after the tick. */
  line: string;
  /** Indented lines under it: what the apiserver said, what was left alone. */
  notes?: string[];
  /** The short result for the summary table (the line, when omitted). */
  result?: string;
}

interface Done {
  title: string;
  ok: boolean;
  result: string;
  seconds: number;
}

/** Polls `probe` until it returns a value; gives up, with the last error seen, when the step's time is up. */
export type Wait = <T>(what: string, probe: () => Promise<T | undefined>, everyMs?: number) => Promise<T>;

export class StepFailed extends Error {
  override readonly name = "StepFailed";
}

const TICK = "\u2714";
const CROSS = "\u2718";

export class Narrator {
  readonly #start = performance.now();
  readonly #done: Done[] = [];
  readonly #write: (text: string) => void;

  constructor(write: (text: string) => void = (text) => process.stdout.write(text)) {
    this.#write = write;
  }

  /** `[ 12.3s]`: seconds since the demo began. */
  clock(): string {
    return `[${((performance.now() - this.#start) / 1000).toFixed(1).padStart(5)}s]`;
  }

  note(text: string): void {
    this.#write(`${" ".repeat(this.clock().length + 3)}${text}\n`);
  }

  /** Runs one step; a failure or a timeout prints a cross with the reason and throws StepFailed. */
  async step(title: string, timeoutMs: number, body: (wait: Wait) => Promise<Said>): Promise<void> {
    const began = performance.now();
    const seconds = (): number => (performance.now() - began) / 1000;
    try {
      const said = await withTimeout(body(waiter(began + timeoutMs * 0.95)), timeoutMs, title);
      this.#write(`${this.clock()} ${TICK} ${said.line}\n`);
      for (const n of said.notes ?? []) this.note(n);
      this.#done.push({ title, ok: true, result: said.result ?? said.line, seconds: seconds() });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      this.#write(`${this.clock()} ${CROSS} ${title}: ${reason}\n`);
      this.#done.push({ title, ok: false, result: reason.split("\n")[0] ?? "", seconds: seconds() });
      throw new StepFailed(`${title}: ${reason}`, { cause: err });
    }
  }

  /** The table at the end: every step, its result and how long it took. */
  summary(): string {
    const rows = this.#done.map((d) => [d.ok ? TICK : CROSS, d.title, d.result, `${d.seconds.toFixed(1)}s`]);
    const widths = [1, 5, 6, 4].map((min, i) => Math.max(min, ...rows.map((r) => r[i]?.length ?? 0)));
    const line = (cells: string[]): string =>
      cells
        .map((c, i) => (i === 3 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
        .join("  ")
        .trimEnd();
    const total = `${((performance.now() - this.#start) / 1000).toFixed(1)}s`;
    return (
      [line(["", "step", "result", "took"]), ...rows.map(line), line(["", "total", "", total])].join("\n") +
      "\n"
    );
  }
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result after ${ms / 1000}s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function waiter(deadline: number): Wait {
  return async (what, probe, everyMs = 100) => {
    let last = "";
    for (;;) {
      const value = await probe().catch(
        (err: unknown) => void (last = err instanceof Error ? err.message : String(err)),
      );
      if (value !== undefined) return value;
      if (performance.now() > deadline)
        throw new Error(`gave up waiting for ${what}${last ? ` (last error: ${last})` : ""}`);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  };
}

/** The apiserver's own words: the Status message inside the error's body. */
export function apiserverMessage(err: unknown): string {
  const body = (err as { body?: unknown }).body;
  try {
    const parsed = (typeof body === "string" ? JSON.parse(body) : body) as { message?: string } | undefined;
    if (parsed?.message) return parsed.message;
  } catch {
    // not JSON: fall back to the error's message
  }
  return err instanceof Error ? err.message : String(err);
}
