import { headers } from "@nats-io/transport-node";
import { NatsBinding } from "./nats-binding.ts";
import { natsMsgToEvent, toNatsHeaders } from "./nats-headers.ts";
import { aTenantRequested, bindingErrorFrom } from "./fixtures.ts";

describe("natsMsgToEvent", () => {
  it("reads a nats.js message as NatsBinding.toEvent reads its plain form", () => {
    const message = NatsBinding.binary(aTenantRequested());
    const msg = { headers: toNatsHeaders(message.headers), data: message.payload };
    expect(natsMsgToEvent(msg)).toEqual(NatsBinding.toEvent(message));
  });

  it("refuses one header spelt twice with different values", () => {
    const message = NatsBinding.binary(aTenantRequested());
    const hdrs = toNatsHeaders(message.headers);
    hdrs.set("CE-ID", "another");
    expect(() => natsMsgToEvent({ headers: hdrs, data: message.payload })).toThrow(
      /header "ce-id" appears twice/,
    );
  });

  it("checks the size before it reads any header", () => {
    const hdrs = headers();
    hdrs.set("ce-id", "a");
    hdrs.set("CE-ID", "b");
    const error = bindingErrorFrom(() =>
      natsMsgToEvent({ headers: hdrs, data: new Uint8Array(10) }, { maxBytes: 4 }),
    );
    expect(error.code).toBe("PAYLOAD_TOO_LARGE");
  });
});
