// The functions of a platform, as its events stream knows them: one durable consumer per function.
import type { ConsumerInfo, JetStreamManager } from "@nats-io/jetstream";
import { subjectMatches } from "./stored.ts";

export interface FunctionConsumer {
  name: string;
  filters: string[];
  info: ConsumerInfo;
}

/** Durable consumers only: the CLI's own readers are ephemeral and must not count as functions. */
export async function functionConsumers(jsm: JetStreamManager, stream: string): Promise<FunctionConsumer[]> {
  const found: FunctionConsumer[] = [];
  for await (const info of jsm.consumers.list(stream)) {
    const name = info.config.durable_name;
    if (!name) continue;
    const filters =
      info.config.filter_subjects ?? (info.config.filter_subject ? [info.config.filter_subject] : []);
    found.push({ name, filters, info });
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/** Whether the function's consumer takes messages on this subject (no filter takes all). */
export function handles(fn: FunctionConsumer, subject: string): boolean {
  return fn.filters.length === 0 || fn.filters.some((filter) => subjectMatches(filter, subject));
}
