// The event catalogue: types, subjects and lookups agree; every schema is closed, bounded and never throws.
import fc from "fast-check";
import {
  EVENT_NAMES,
  eventNameOfType,
  eventType,
  isResultEvent,
  parseEventData,
  RESULT_OF,
  subjectOf,
} from "./events.ts";
import type { EventName } from "./events.ts";
import { aNodeJoined, aNodeKataFailed, aPodQuarantined, aPodUnsafe, FIXTURES } from "./fixtures.ts";

const fixtureOf = (name: EventName): Record<string, unknown> => FIXTURES[name]();

describe("the catalogue", () => {
  test.each(EVENT_NAMES)("%s has the type org.akraino.icn.<name> and maps back", (name) => {
    expect(eventType(name)).toBe(`org.akraino.icn.${name}`);
    expect(eventNameOfType(eventType(name))).toBe(name);
  });

  test("an unknown type has no name", () => {
    expect(eventNameOfType("org.akraino.icn.tenant.deleted")).toBeUndefined();
    expect(eventNameOfType("toString")).toBeUndefined();
  });

  test("subjects are <prefix>.<name>", () => {
    expect(subjectOf("icn", "node.kata-enabled")).toBe("icn.node.kata-enabled");
    expect(subjectOf("staging.icn", "tenant.requested")).toBe("staging.icn.tenant.requested");
  });

  test("there are eight inputs, and every result answers one of them", () => {
    expect(EVENT_NAMES.filter((name) => !isResultEvent(name))).toEqual([
      "tenant.requested",
      "tenant.cordon-requested",
      "tenant.uncordon-requested",
      "tenant.retire-requested",
      "node.joined",
      "pod.unsafe",
      "node.kata-ready",
      "node.kata-overdue",
    ]);
    for (const input of Object.values(RESULT_OF).flat()) expect(isResultEvent(input)).toBe(false);
  });
});

describe.each(EVENT_NAMES)("%s", (name) => {
  test("its fixture is valid", () => {
    expect(parseEventData(name, fixtureOf(name)).error?.issues).toBeUndefined();
  });

  test("an unknown field is refused", () => {
    const result = parseEventData(name, { ...fixtureOf(name), extra: true });
    expect(result.error?.issues).toEqual([
      expect.objectContaining({ code: "unrecognized_keys", keys: ["extra"] }),
    ]);
  });

  test("an oversized string field is refused", () => {
    const huge = "a".repeat(100_000);
    const field = Object.keys(fixtureOf(name)).find((key) => typeof fixtureOf(name)[key] === "string") ?? "";
    expect(parseEventData(name, { ...fixtureOf(name), [field]: huge }).success).toBe(false);
  });
});

describe("node and pod events", () => {
  test.each(["worker-1", "worker-1.example.com"])("node %s is accepted", (node) => {
    expect(parseEventData("node.joined", aNodeJoined({ node })).success).toBe(true);
  });

  test.each(["Worker-1", "", "worker_1", "w".repeat(254)])("node %j is refused", (node) => {
    expect(parseEventData("node.joined", aNodeJoined({ node })).success).toBe(false);
  });

  test("node.kata-failed wants taintedAt as an ISO 8601 date-time", () => {
    expect(parseEventData("node.kata-failed", aNodeKataFailed()).success).toBe(true);
    expect(
      parseEventData("node.kata-failed", aNodeKataFailed({ taintedAt: "yesterday" })).error?.issues[0]
        ?.message,
    ).toBe("taintedAt must be an ISO 8601 date-time");
  });

  test("pod.unsafe needs a namespace and a pod", () => {
    expect(parseEventData("pod.unsafe", { pod: "legacy-0" }).error?.issues[0]?.message).toBe(
      "namespace is required",
    );
    expect(parseEventData("pod.unsafe", aPodUnsafe({ reason: undefined, detector: "falco" })).success).toBe(
      true,
    );
  });

  test("pod.quarantined knows three actions and wants a real boolean for dryRun", () => {
    expect(parseEventData("pod.quarantined", aPodQuarantined({ action: "evict" })).success).toBe(true);
    const nuke = parseEventData("pod.quarantined", { ...aPodQuarantined(), action: "nuke" });
    expect(nuke.error?.issues[0]?.message).toBe("action must be one of isolate, evict, delete");
    expect(parseEventData("pod.quarantined", { ...aPodQuarantined(), dryRun: "false" }).success).toBe(false);
  });
});

describe("properties", () => {
  test("no JSON value makes any schema throw", () => {
    fc.assert(
      fc.property(fc.constantFrom(...EVENT_NAMES), fc.jsonValue(), (name, data) => {
        expect(typeof parseEventData(name, data).success).toBe("boolean");
      }),
    );
  });

  // Random JSON rarely gets past the type checks; a valid fixture with one field replaced
  // reaches the refinements (reserved names, scoping, default class) with odd inputs.
  test("a valid event with one field replaced by any JSON value never throws", () => {
    fc.assert(
      fc.property(fc.constantFrom(...EVENT_NAMES), fc.nat(), fc.jsonValue(), (name, index, value) => {
        const data = fixtureOf(name);
        const keys = [...Object.keys(data), "namespaces", "admins", "runtimeClasses", "quota"];
        data[keys[index % keys.length] ?? "tenant"] = value;
        expect(typeof parseEventData(name, data).success).toBe("boolean");
      }),
    );
  });
});
