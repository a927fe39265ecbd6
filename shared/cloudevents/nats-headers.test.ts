// The adapter between the binding's plain header record and nats.js MsgHdrs.
import { MsgHdrsImpl } from "@nats-io/transport-node";
import { aBinaryMessage, aTenantRequested } from "./fixtures.ts";
import { NatsBinding } from "./nats-binding.ts";
import { fromNatsHeaders, toNatsHeaders } from "./nats-headers.ts";

describe("nats-headers", () => {
  it("round-trips a binary message's headers, spelling included", () => {
    const message = NatsBinding.binary(aTenantRequested({ subject: "Caf\u00E9 au lait" }));
    const hdrs = toNatsHeaders(message.headers);
    expect(hdrs.get("ce-subject")).toBe("Caf%C3%A9%20au%20lait");
    expect(fromNatsHeaders(hdrs)).toEqual(message.headers);
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
    expect(NatsBinding.toEvent({ headers: fromNatsHeaders(decoded), payload: message.payload })).toEqual(
      event,
    );
  });

  it("gives an empty record for a message without headers", () => {
    expect(fromNatsHeaders(undefined)).toEqual({});
  });

  it("keeps the first value of a repeated header, as MsgHdrs.get() does", () => {
    const hdrs = toNatsHeaders(aBinaryMessage().headers);
    hdrs.append("ce-subject", "first");
    hdrs.append("ce-subject", "second");
    expect(fromNatsHeaders(hdrs)["ce-subject"]).toBe("first");
  });
});
