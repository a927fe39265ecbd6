// The benchmark's host: one no-op function, run from the compiled build in dist/ as the image runs
// it (no type stripping at load), so the figures are the shipped host's. `npm run bench` builds first.
import { configFromEnv } from "../../dist/shared/config.js";
import { defineFunction } from "../../dist/shared/function.js";
import { runHostProcess } from "../../dist/shared/host/main.js";

const noop = defineFunction({
  name: "noop",
  on: "node.joined",
  emits: [],
  // A no-op has nothing downstream to protect; enough in flight to cover the outcome records' round trips.
  concurrency: Number(process.env.BENCH_CONCURRENCY ?? 128),
  handle: () => Promise.resolve(),
});

await runHostProcess([noop], { config: configFromEnv(), name: "bench-noop-host" });
