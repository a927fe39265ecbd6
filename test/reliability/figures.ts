// The figures each reliability suite measured, written as JSON for report.ts to render into docs/RELIABILITY.md.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stateDir } from "../../deploy/local/paths.ts";
import { RUN_SIZE, type RunSize } from "./sizes.ts";

/** What every scenario reports, so the summary table has the same columns for all; null where it does not apply. */
export interface Summary {
  events: number;
  durationSeconds: number;
  lost: number | null;
  duplicates: number | null;
  deadLettered: number | null;
}

export interface SuiteFigures {
  /** File name and table key, e.g. "nats-node-loss". */
  suite: string;
  title: string;
  /** Where the test is, so a reader can check what the figures prove. */
  test: string;
  size: RunSize;
  ranAt: string;
  summary: Summary;
  /** Scenario-specific figures, in the order they should be shown. */
  details: Record<string, number | string>;
}

export function figuresDir(): string {
  return join(stateDir(), "reliability");
}

/** Written before the test asserts, so a failed run still leaves what it measured behind. */
export function writeFigures(figures: Omit<SuiteFigures, "size" | "ranAt">): SuiteFigures {
  const full: SuiteFigures = { ...figures, size: RUN_SIZE, ranAt: new Date().toISOString() };
  mkdirSync(figuresDir(), { recursive: true });
  writeFileSync(join(figuresDir(), `${figures.suite}.json`), JSON.stringify(full, null, 2) + "\n");
  return full;
}

export function readAllFigures(dir: string = figuresDir()): SuiteFigures[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith(".json"));
  } catch {
    return [];
  }
  return files.map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as SuiteFigures);
}

/** Seconds with one decimal, as the report shows them. */
export function secondsSince(startMs: number): number {
  return Math.round((Date.now() - startMs) / 100) / 10;
}
