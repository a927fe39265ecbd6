// Test fixtures for the NATS binding: factories that return a fresh event or message on every call.
import { CloudEvent } from "cloudevents";
import { BindingError } from "./binding-error.ts";
import type { BindingErrorCode } from "./binding-error.ts";
import { NatsBinding } from "./nats-binding.ts";
import type { NatsMessage } from "./nats-message.ts";

const utf8 = new TextEncoder();

export function bytes(text: string): Uint8Array {
  return utf8.encode(text);
}

export function text(payload: Uint8Array): string {
  return new TextDecoder().decode(payload);
}

/** A valid tenant.requested event built by the SDK itself, as a publisher in this repo would. */
export function aTenantRequested(overrides: Record<string, unknown> = {}): CloudEvent<unknown> {
  return new CloudEvent<unknown>({
    specversion: "1.0",
    id: "evt-0001",
    source: "/portal",
    type: "org.akraino.icn.tenant.requested",
    time: "2024-05-01T12:00:00.000Z",
    subject: "acme",
    datacontenttype: "application/json",
    data: { tenant: "acme", admins: [{ kind: "User", name: "alice" }] },
    ...overrides,
  });
}

/** The headers of a minimal valid binary-mode message; `overrides` replace or add headers. */
export function binaryHeaders(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    "ce-specversion": "1.0",
    "ce-id": "evt-0002",
    "ce-source": "/node-watcher",
    "ce-type": "org.akraino.icn.node.joined",
    "ce-datacontenttype": "application/json",
    ...overrides,
  };
}

export function aBinaryMessage(
  overrides: Record<string, string> = {},
  payload = '{"node":"n1"}',
): NatsMessage {
  return { headers: binaryHeaders(overrides), payload: bytes(payload) };
}

/** A binary-mode message lacking the header `name`, to see how a receiver copes without it. */
export function aBinaryMessageWithout(name: string, extra: Record<string, string> = {}): NatsMessage {
  const headers = Object.fromEntries(Object.entries(binaryHeaders(extra)).filter(([key]) => key !== name));
  return { headers, payload: bytes('{"node":"n1"}') };
}

/** A structured-mode message; `overrides` replace or add JSON members (`undefined` removes one). */
export function aStructuredMessage(overrides: Record<string, unknown> = {}): NatsMessage {
  const document = {
    specversion: "1.0",
    id: "evt-0003",
    source: "/detector",
    type: "org.akraino.icn.pod.unsafe",
    datacontenttype: "application/json",
    data: { namespace: "acme", pod: "web-0" },
    ...overrides,
  };
  return {
    headers: { "Content-Type": "application/cloudevents+json" },
    payload: bytes(JSON.stringify(document)),
  };
}

/** A structured-mode message with exactly this payload, valid or not. */
export function aStructuredPayload(payload: Uint8Array | string): NatsMessage {
  return {
    headers: { "Content-Type": "application/cloudevents+json" },
    payload: typeof payload === "string" ? bytes(payload) : payload,
  };
}

/** The BindingError `act` throws; fails the test if it returns, or throws anything else. */
export function bindingErrorFrom(act: () => unknown): BindingError {
  try {
    act();
  } catch (err) {
    if (err instanceof BindingError) return err;
    throw err;
  }
  throw new Error("expected a BindingError, but nothing was thrown");
}

/** Asserts toEvent() refuses `message` with `code`, a BindingError, and a message matching `reason`. */
export function expectRejected(message: NatsMessage, code: BindingErrorCode, reason: RegExp): void {
  const err = bindingErrorFrom(() => NatsBinding.toEvent(message));
  expect(err).toBeInstanceOf(Error);
  expect(err.name).toBe("BindingError");
  expect(err.code).toBe(code);
  expect(err.message).toMatch(reason);
}
