// Interleaved rounds: the machine is shared and noisy (two runs of one loop have differed by half), so
// the loops compared take turns, round after round, and each ratio is taken within a round. A burst of
// load from elsewhere then hits one round of every loop rather than all of one loop.
import { progress, round } from "./support.ts";

export interface Loop {
  name: string;
  /** Runs the loop once; resolves with its throughput (per second). */
  run(round: number): Promise<number>;
}

/** Each loop's throughput, one entry per round, in the order the rounds ran. */
export type RoundFigures = Record<string, number[]>;

/** `prepare` runs before each round's loops (say, to fill the stream they share); it is not timed. */
export async function interleave(
  loops: Loop[],
  rounds: number,
  unit: string,
  prepare?: (round: number) => Promise<void>,
): Promise<RoundFigures> {
  const figures: RoundFigures = Object.fromEntries(loops.map((loop) => [loop.name, []]));
  for (let r = 1; r <= rounds; r++) {
    if (prepare) {
      progress(`round ${r}/${rounds}: preparing`);
      await prepare(r);
    }
    for (const loop of loops) {
      progress(`round ${r}/${rounds}: ${loop.name}`);
      const perSecond = await loop.run(r);
      figures[loop.name]?.push(perSecond);
      progress(`round ${r}/${rounds}: ${loop.name} ${perSecond.toFixed(perSecond < 100 ? 2 : 0)} ${unit}`);
    }
  }
  return figures;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
  /** (max − min) / median: how far apart the rounds were. */
  spread: number;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return NaN;
  return sorted.length % 2 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

export function spreadOf(values: number[]): Spread {
  const m = median(values);
  const min = Math.min(...values);
  const max = Math.max(...values);
  return { median: m, min, max, spread: (max - min) / m };
}

/** Per-round ratios a / b: each compares two loops that ran minutes apart at most. */
export function perRound(figures: RoundFigures, a: string, b: string): number[] {
  const top = figures[a] ?? [];
  const bottom = figures[b] ?? [];
  return top.map((value, i) => value / (bottom[i] ?? NaN));
}

/** One line: the median, the rounds' min–max and their spread. */
export function describe(label: string, values: number[], unit: string, digits = 0): string {
  const s = spreadOf(values);
  const f = (n: number): string => n.toFixed(digits);
  return (
    `${label.padEnd(28)} ${f(s.median).padStart(8)} ${unit}   ` +
    `min–max ${f(s.min)}–${f(s.max)}   spread ${round(s.spread * 100)} %   ` +
    `rounds ${values.map(f).join(", ")}`
  );
}
