// A host process with one no-op function, so the benchmark measures the host alone (throughput, RSS).
import { configFromEnv } from "../../shared/config.ts";
import { defineFunction } from "../../shared/function.ts";
import { runHostProcess } from "../../shared/host/main.ts";

const noop = defineFunction({
  name: "noop",
  on: "node.joined",
  emits: [],
  concurrency: Number(process.env.BENCH_CONCURRENCY ?? 64),
  handle: () => Promise.resolve(),
});

await runHostProcess([noop], { config: configFromEnv(), name: "bench-noop-host" });
