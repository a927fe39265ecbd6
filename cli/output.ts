// How results reach the operator: aligned tables for people, JSON for scripts, progress only on a terminal.
import { Option } from "commander";

/** `wide` is the table with every value whole, as kubectl's `-o wide` shows more; only where values are cut. */
export const OUTPUT_FORMATS = ["table", "wide", "json"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/**
 * Added to every command, so `--output json` works wherever a script needs it; `wide` only on the
 * commands whose tables cut long values.
 */
export function outputOption(options: { wide?: boolean } = {}): Option {
  return options.wide
    ? new Option(
        "-o, --output <format>",
        "table for people, json for scripts, wide: the table with long values whole",
      )
        .choices(OUTPUT_FORMATS)
        .default("table")
    : new Option("-o, --output <format>", "table for people, json for scripts")
        .choices(["table", "json"])
        .default("table");
}

export interface Column<T> {
  header: string;
  value: (row: T) => string;
  /** Cut longer values with an ellipsis (`-o wide` and the json output keep them whole). */
  max?: number;
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** Aligned columns; the last one is not padded, so long text does not leave trailing blanks. */
export function formatTable<T>(
  rows: readonly T[],
  columns: readonly Column<T>[],
  format: OutputFormat = "table",
): string {
  const cut = (c: Column<T>, text: string): string =>
    c.max && format !== "wide" ? truncate(text, c.max) : text;
  const cells = rows.map((row) => columns.map((c) => oneLine(cut(c, c.value(row)))));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]?.length ?? 0)));
  const line = (values: readonly string[]): string =>
    values
      .map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join("\n");
}

const oneLine = (text: string): string => text.replace(/[\r\n]+/g, " ");

export function printTable<T>(
  rows: readonly T[],
  columns: readonly Column<T>[],
  empty: string,
  format: OutputFormat = "table",
): void {
  if (rows.length === 0) process.stdout.write(`${empty}\n`);
  else process.stdout.write(`${formatTable(rows, columns, format)}\n`);
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
