// Outcome keys: found by the event id alone, and the same whether or not the source's digest was remembered.
import { hash } from "node:crypto";
import { outcomeKey } from "./outcomes.ts";

const digest = (value: string): string => hash("sha256", value, "hex").slice(0, 20);

describe("outcomeKey", () => {
  it("starts with the id's digest, then the source's, then the function", () => {
    const key = outcomeKey({ id: "evt-1", source: "urn:portal" }, "provision-tenant");
    expect(key).toBe(`${digest("evt-1")}.${digest("urn:portal")}.provision-tenant`);
  });

  it("gives a source the same key after the remembered digests were dropped", () => {
    const first = outcomeKey({ id: "a", source: "urn:first" }, "fn");
    for (let i = 0; i < 3000; i++) outcomeKey({ id: "a", source: `urn:other:${i}` }, "fn");
    expect(outcomeKey({ id: "a", source: "urn:first" }, "fn")).toBe(first);
    expect(outcomeKey({ id: "a", source: "urn:other:7" }, "fn")).toBe(
      `${digest("a")}.${digest("urn:other:7")}.fn`,
    );
  });
});
