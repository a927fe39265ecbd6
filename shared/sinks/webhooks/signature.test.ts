// Signing as Standard Webhooks defines it: the spec's own library verifies what the notifier signs.
import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { signedHeaders, signingKey, webhookId, WEBHOOK_HEADERS } from "./signature.ts";

const BODY = Buffer.from('{"specversion":"1.0","id":"e-1","source":"urn:icn","type":"t","data":{"é":1}}');

function keyOf(secret: string): Buffer {
  const parsed = signingKey(secret);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.key;
}

test("a whsec_ secret is the spec's: the library verifies with the same string", () => {
  const secret = `whsec_${randomBytes(32).toString("base64")}`;
  const headers = signedHeaders(keyOf(secret), "msg_1", BODY, new Date());
  expect(new Webhook(secret).verify(BODY, headers)).toEqual(JSON.parse(BODY.toString()));
});

test("a plain secret keeps its key; the receiver's form is whsec_ and its base64", () => {
  const secret = "webhook-secret-0123456789";
  const headers = signedHeaders(keyOf(secret), "msg_1", BODY, new Date());
  const receiverSecret = `whsec_${Buffer.from(secret).toString("base64")}`;
  expect(() => new Webhook(receiverSecret).verify(BODY, headers)).not.toThrow();
  expect(() => new Webhook(secret, { format: "raw" }).verify(BODY, headers)).not.toThrow();
});

test("the id, the timestamp and every body byte are signed", () => {
  const secret = `whsec_${randomBytes(24).toString("base64")}`;
  const headers = signedHeaders(keyOf(secret), "msg_1", BODY, new Date());
  const receiver = new Webhook(secret);
  const older = String(Number(headers[WEBHOOK_HEADERS.timestamp]) - 1);
  expect(() => receiver.verify(BODY, { ...headers, [WEBHOOK_HEADERS.id]: "msg_2" })).toThrow(/signature/);
  expect(() => receiver.verify(BODY, { ...headers, [WEBHOOK_HEADERS.timestamp]: older })).toThrow(
    /signature/,
  );
  expect(() => receiver.verify(Buffer.from(BODY.toString().replace("e-1", "e-2")), headers)).toThrow(
    /signature/,
  );
  const stale = signedHeaders(keyOf(secret), "msg_1", BODY, new Date(Date.now() - 6 * 60_000));
  expect(() => receiver.verify(BODY, stale)).toThrow(/too old/);
});

const problemOf = (secret: string): string | undefined => {
  const parsed = signingKey(secret);
  return parsed.ok ? undefined : parsed.problem;
};

test("unfit secrets are refused with the reason", () => {
  expect(problemOf("short")).toMatch(/16 characters/);
  expect(problemOf(`whsec_${randomBytes(16).toString("base64")}`)).toMatch(/24 bytes/);
  // Buffer.from would skip the stray characters and sign with a shorter key than the operator meant.
  expect(problemOf(`whsec_${randomBytes(32).toString("base64")}!!`)).toMatch(/base64/);
});

test("the webhook id is stable per event and webhook, and differs across either", () => {
  const event = { source: "urn:icn", id: "e-1" };
  expect(webhookId("ops", event)).toBe(webhookId("ops", { ...event }));
  expect(webhookId("ops", event)).toMatch(/^msg_[0-9a-f]{32}$/);
  expect(webhookId("ops", event)).not.toBe(webhookId("jira", event));
  expect(webhookId("ops", event)).not.toBe(webhookId("ops", { ...event, id: "e-2" }));
  expect(webhookId("ops", event)).not.toBe(webhookId("ops", { ...event, source: "urn:other" }));
});
