// How results reach the operator: aligned tables for people, JSON for scripts, progress only on a terminal.
import { Option } from "commander";

export const OUTPUT_FORMATS = ["table", "json"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Added to every command, so `--output json` works wherever a script needs it. */
export function outputOption(): Option {
  return new Option("-o, --output <format>", "table for people, json for scripts")
    .choices(OUTPUT_FORMATS)
    .default("table");
}

export interface Column<T> {
  header: string;
  value: (row: T) => string;
  /** Cut longer values with an ellipsis (the json output keeps them whole). */
  max?: number;
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** Aligned columns; the last one is not padded, so long text does not leave trailing blanks. */
export function formatTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((row) =>
    columns.map((c) => oneLine(c.max ? truncate(c.value(row), c.max) : c.value(row))),
  );
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]?.length ?? 0)));
  const line = (values: readonly string[]): string =>
    values
      .map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join("\n");
}

const oneLine = (text: string): string => text.replace(/[\r\n]+/g, " ");

export function printTable<T>(rows: readonly T[], columns: readonly Column<T>[], empty: string): void {
  if (rows.length === 0) process.stdout.write(`${empty}\n`);
  else process.stdout.write(`${formatTable(rows, columns)}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** One JSON object per line: for streams of records (tail), where a script reads as they come. */
export function printJsonLine(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** Progress goes to stderr, and only for a person watching: piped or scripted runs stay quiet. */
export function progress(message: string, stream: NodeJS.WriteStream = process.stderr): void {
  if (stream.isTTY) stream.write(`» ${message}\n`);
}

/** A note the operator should see whatever the output format (skipped events, kept dead letters). */
export function note(message: string): void {
  process.stderr.write(`note: ${message}\n`);
}
