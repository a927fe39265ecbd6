// The request a webhook receives: the whole event as structured-mode JSON, and which webhooks are accepted.
import { newEvent } from "../../events.ts";
import { aTenantProvisioned } from "../../../schemas/fixtures.ts";
import { structuredRequest } from "./post.ts";
import { parseWebhooks } from "./webhooks.ts";

test("the body is the whole event in the JSON format, its attributes included", () => {
  const event = newEvent({
    name: "tenant.provisioned",
    source: "urn:icn",
    data: aTenantProvisioned(),
    extensions: { causeid: "c 1é" },
  });
  const { contentType, body } = structuredRequest(event);
  expect(contentType).toMatch(/^application\/cloudevents\+json(;|$)/);
  expect(JSON.parse(body.toString("utf8"))).toEqual({
    specversion: "1.0",
    id: event.id,
    source: "urn:icn",
    type: "org.akraino.icn.tenant.provisioned",
    time: event.time,
    datacontenttype: "application/json",
    causeid: "c 1é",
    data: event.data,
  });
});

test("webhooks take only result events, a real URL, a usable secret and unique names", () => {
  const hook = {
    name: "ops",
    url: "https://ops.example.com/hook",
    secret: "0123456789abcdef",
    types: ["tenant.rejected"],
  };
  const [parsed] = parseWebhooks([hook]);
  expect(parsed?.secret).toEqual(Buffer.from("0123456789abcdef"));
  expect(() => parseWebhooks([{ ...hook, types: ["tenant.requested"] }])).toThrow(/types may name only/);
  expect(() => parseWebhooks([{ ...hook, url: "ftp://x" }])).toThrow(/http:\/\/ or https:\/\//);
  expect(() => parseWebhooks([{ ...hook, secret: "short" }])).toThrow(/secret: .*at least 16/);
  expect(() => parseWebhooks([{ ...hook, secret: "whsec_c2hvcnQ=" }])).toThrow(/secret: .*at least 24 bytes/);
  expect(() => parseWebhooks([hook, hook])).toThrow(/share a name/);
});
