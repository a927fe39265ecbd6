import { createMetrics } from "./metrics.ts";

describe("host metrics", () => {
  it("exposes each function's tally as labelled counters and an in-flight gauge", async () => {
    const metrics = createMetrics();
    const tally = metrics.tally("provision-tenant");
    tally.received += 3;
    tally.succeeded += 2;
    tally.rejected += 1;
    tally.inFlight = 1;
    tally.observe("succeeded", 0.002);
    const text = await metrics.registry.metrics();
    expect(text).toContain('icn_events_received_total{function="provision-tenant"} 3');
    expect(text).toContain('icn_events_succeeded_total{function="provision-tenant"} 2');
    expect(text).toContain('icn_events_rejected_total{function="provision-tenant"} 1');
    expect(text).toContain('icn_events_dead_lettered_total{function="provision-tenant"} 0');
    expect(text).toContain('icn_handlers_in_flight{function="provision-tenant"} 1');
    expect(text).toContain(
      'icn_handler_duration_seconds_bucket{le="0.005",function="provision-tenant",outcome="succeeded"} 1',
    );
  });

  it("reports the latest counts on every read, not the first", async () => {
    const metrics = createMetrics();
    const tally = metrics.tally("noop");
    tally.succeeded = 1;
    await metrics.registry.metrics();
    tally.succeeded = 5;
    const values = (await metrics.succeeded.get()).values;
    expect(values).toEqual([expect.objectContaining({ labels: { function: "noop" }, value: 5 })]);
  });

  it("gives one tally per function name", () => {
    const metrics = createMetrics();
    expect(metrics.tally("a")).toBe(metrics.tally("a"));
    expect(metrics.tally("a")).not.toBe(metrics.tally("b"));
  });
});
