// The request a webhook receives: binary-mode headers, percent-encoded where needed, and a signature of the body.
import { createHmac } from "node:crypto";
import { newEvent } from "../../shared/events.ts";
import { aTenantProvisioned } from "../../schemas/fixtures.ts";
import { binaryRequest, signature } from "./post.ts";
import { parseWebhooks } from "./webhooks.ts";

test("the body is the event's JSON data and the ce- headers carry its attributes", () => {
  const event = newEvent({
    name: "tenant.provisioned",
    source: "urn:icn",
    data: aTenantProvisioned(),
    extensions: { causeid: "c 1é" },
  });
  const { headers, body } = binaryRequest(event);
  expect(JSON.parse(body.toString())).toEqual(event.data);
  expect(headers).toMatchObject({
    "content-type": "application/json",
    "ce-id": event.id,
    "ce-type": event.type,
  });
  // Space and non-ASCII are percent-encoded, as the HTTP binding says, or fetch would refuse the header.
  expect(headers["ce-causeid"]).toBe("c%201%C3%A9");
});

test("the signature is the hex HMAC-SHA256 of the timestamp, a dot and the exact body bytes", () => {
  const body = Buffer.from('{"tenant":"acme"}');
  expect(signature("secret-secret-secret", "1795716837", body)).toBe(
    `sha256=${createHmac("sha256", "secret-secret-secret").update('1795716837.{"tenant":"acme"}').digest("hex")}`,
  );
  expect(signature("secret-secret-secret", "1795716837", Buffer.from('{"tenant":"acme" }'))).not.toBe(
    signature("secret-secret-secret", "1795716837", body),
  );
  expect(signature("secret-secret-secret", "1795716838", body)).not.toBe(
    signature("secret-secret-secret", "1795716837", body),
  );
});

test("webhooks take only result events, a real URL, a long secret and unique names", () => {
  const hook = {
    name: "ops",
    url: "https://ops.example.com/hook",
    secret: "0123456789abcdef",
    types: ["tenant.rejected"],
  };
  expect(parseWebhooks([hook])).toHaveLength(1);
  expect(() => parseWebhooks([{ ...hook, types: ["tenant.requested"] }])).toThrow(/types may name only/);
  expect(() => parseWebhooks([{ ...hook, url: "ftp://x" }])).toThrow(/http:\/\/ or https:\/\//);
  expect(() => parseWebhooks([{ ...hook, secret: "short" }])).toThrow(/at least 16/);
  expect(() => parseWebhooks([hook, hook])).toThrow(/share a name/);
});
