// The adapter between the binding and nats.js: MsgHdrs out, CloudEvents in.
import { headers, MsgHdrsImpl } from "@nats-io/transport-node";
import { aBinaryMessage, aTenantRequested, bindingErrorFrom } from "./fixtures.ts";
import { NatsBinding } from "./nats-binding.ts";
import { natsMsgToEvent, toNatsHeaders } from "./nats-headers.ts";

describe("nats-headers", () => {
  it("round-trips a binary event through MsgHdrs, percent-encoding included", () => {
    const event = aTenantRequested({ subject: "Caf\u00E9 au lait" });
    const message = NatsBinding.binary(event);
    const hdrs = toNatsHeaders(message.headers);
    expect(hdrs.get("ce-subject")).toBe("Caf%C3%A9%20au%20lait");
    expect(natsMsgToEvent({ headers: hdrs, data: message.payload })).toEqual(event);
    expect(natsMsgToEvent({ headers: hdrs, data: message.payload })).toEqual(NatsBinding.toEvent(message));
  });

  it("keeps the structured Content-Type header's exact name", () => {
    const hdrs = toNatsHeaders(NatsBinding.structured(aTenantRequested()).headers);
    expect(hdrs.keys()).toEqual(["Content-Type"]);
  });

  it("survives the NATS wire encoding, so the event decodes on the far side", () => {
    const event = aTenantRequested({ subject: ' leading and trailing spaces "quoted" ' });
    const message = NatsBinding.binary(event);
    // MsgHdrs is an interface; its one implementation also does the wire encoding, trimming values as it goes.
    const wire = (toNatsHeaders(message.headers) as MsgHdrsImpl).encode();
    const decoded = MsgHdrsImpl.decode(wire);
    expect(natsMsgToEvent({ headers: decoded, data: message.payload })).toEqual(event);
  });

  it("reads a message without headers as structured mode", () => {
    const message = NatsBinding.structured(aTenantRequested());
    expect(natsMsgToEvent({ data: message.payload })).toEqual(NatsBinding.toEvent(message));
  });

  it("keeps the first value of a repeated header, as MsgHdrs.get() does", () => {
    const hdrs = toNatsHeaders(aBinaryMessage().headers);
    hdrs.set("ce-subject", "first");
    hdrs.append("ce-subject", "second");
    expect(natsMsgToEvent({ headers: hdrs, data: aBinaryMessage().payload }).subject).toBe("first");
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
