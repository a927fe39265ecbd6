import {
  backoffFor,
  configFromEnv,
  DEFAULT_RETRY,
  namesFor,
  natsAuthFromEnv,
  retrySummary,
} from "./config.ts";

test("the default retry schedule rides out a 20 s apiserver outage before the last attempt", () => {
  const waited = Array.from({ length: DEFAULT_RETRY.attempts - 1 }, (_, i) =>
    backoffFor(DEFAULT_RETRY, i + 1),
  ).reduce((a, b) => a + b, 0);
  expect(waited).toBeGreaterThanOrEqual(20_000);
});

test("the last backoff repeats once the schedule runs out", () => {
  expect(backoffFor({ attempts: 9, backoffMs: [10, 20] }, 5)).toBe(20);
});

test("names derive from the prefix, so two prefixes never share a stream", () => {
  expect(namesFor("icn")).toEqual({
    eventsStream: "ICN_EVENTS",
    deadLetterStream: "ICN_DLQ",
    outcomesBucket: "icn_outcomes",
  });
  expect(namesFor("t-1").eventsStream).not.toBe(namesFor("t-2").eventsStream);
});

test("bad settings fail with the variable's name", () => {
  expect(() => configFromEnv({ ICN_ACK_WAIT_MS: "soon" })).toThrow(/ICN_ACK_WAIT_MS/);
  expect(() => configFromEnv({ ICN_SUBJECT_PREFIX: "ICN.>" })).toThrow(/ICN_SUBJECT_PREFIX/);
  expect(configFromEnv({}).prefix).toBe("icn");
});

test("components create what is missing unless told to bind to what icnctl provision made", () => {
  expect(configFromEnv({}).provisioning).toBe("create");
  expect(configFromEnv({ ICN_NATS_PROVISIONING: " bind " }).provisioning).toBe("bind");
  expect(() => configFromEnv({ ICN_NATS_PROVISIONING: "yes" })).toThrow(
    /ICN_NATS_PROVISIONING must be one of/,
  );
});

test("settings are trimmed: a stray space never changes where a component connects", () => {
  const config = configFromEnv({ NATS_URL: " nats://bus:4222 ", ICN_ACK_WAIT_MS: " 5000" });
  expect(config.natsUrl).toBe("nats://bus:4222");
  expect(config.ackWaitMs).toBe(5000);
  expect(natsAuthFromEnv({ NATS_USER: "fn ", NATS_PASSWORD: "" })).toEqual({ user: "fn" });
});

test("the retry summary adds up the waits of the default policy: 9 attempts, 31.7 s between them", () => {
  const summary = retrySummary(DEFAULT_RETRY);
  expect(summary).toMatchObject({ attempts: 9, waitingMs: 31_700 });
  expect(summary.text).toBe(
    "an event that keeps failing is tried 9 times, then dead-lettered: 31.7 s of waits between attempts (0.2 s, 0.5 s, 1 s, 2 s, 4 s, 8 s, 8 s, 8 s) plus each attempt's own time",
  );
});
