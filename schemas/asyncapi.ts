// The AsyncAPI 3.0 document of the event bus: one channel per subject, one message per event.
import { DEFAULT_SUBJECT_PREFIX, EVENT_NAMES, EVENTS, isResultEvent, inputsOf, subjectOf } from "./events.ts";
import type { EventName } from "./events.ts";
import { eventPayloadSchema } from "./json-schema.ts";
import type { JsonSchema } from "./json-schema.ts";

/** The version of the event contract; bump it when a schema changes incompatibly. */
export const EVENTS_API_VERSION = "0.1.0";

type Document = Record<string, unknown>;

/** "node.kata-enabled" → "nodeKataEnabled": AsyncAPI ids are identifiers, subjects are not. */
export function asyncApiId(name: EventName): string {
  return name.replace(/[.-]([a-z])/g, (_match, letter: string) => letter.toUpperCase());
}

export function asyncApiDocument(): Document {
  return {
    asyncapi: "3.0.0",
    info: {
      title: "icn-secure-tenancy events",
      version: EVENTS_API_VERSION,
      description:
        "CloudEvents 1.0 on NATS JetStream. Upstream systems publish tenant.requested, node.joined and pod.unsafe, " +
        "the platform's node watcher node.kata-ready and node.kata-overdue; " +
        "the platform's functions answer with result events whose causeid is the triggering event's id.",
    },
    defaultContentType: "application/json",
    channels: Object.fromEntries(EVENT_NAMES.map((name) => [asyncApiId(name), channel(name)])),
    operations: Object.fromEntries(EVENT_NAMES.map((name) => [operationId(name), operation(name)])),
    components: {
      messages: Object.fromEntries(EVENT_NAMES.map((name) => [asyncApiId(name), message(name)])),
    },
  };
}

function channel(name: EventName): Document {
  const id = asyncApiId(name);
  return {
    address: subjectOf(DEFAULT_SUBJECT_PREFIX, name),
    title: name,
    description: `${EVENTS[name].description} The subject prefix "${DEFAULT_SUBJECT_PREFIX}" is configurable: with prefix P the subject is P.${name}.`,
    messages: { [id]: { $ref: `#/components/messages/${id}` } },
  };
}

// From the platform's side: it receives the inputs and sends the results.
function operationId(name: EventName): string {
  const id = asyncApiId(name);
  return `${isResultEvent(name) ? "send" : "receive"}${id[0]?.toUpperCase() ?? ""}${id.slice(1)}`;
}

function operation(name: EventName): Document {
  const id = asyncApiId(name);
  return {
    action: isResultEvent(name) ? "send" : "receive",
    channel: { $ref: `#/channels/${id}` },
    summary: isResultEvent(name)
      ? `Answers ${inputsOf(name).join(" or ")}.`
      : `Published by upstream systems or the platform's watchers.`,
    messages: [{ $ref: `#/channels/${id}/messages/${id}` }],
  };
}

function message(name: EventName): Document {
  const result = isResultEvent(name);
  return {
    name,
    title: EVENTS[name].type,
    summary: EVENTS[name].description,
    contentType: "application/json",
    headers: headers(name),
    payload: eventPayloadSchema(name),
    ...(result && {
      correlationId: {
        description: `The id of the ${inputsOf(name).join(" or ")} event this result answers.`,
        location: "$message.header#/ce-causeid",
      },
    }),
  };
}

const ID_LENGTH = { minLength: 1, maxLength: 256 };
const SOURCE_LENGTH = { minLength: 1, maxLength: 1024 };

function headers(name: EventName): JsonSchema {
  const result = isResultEvent(name);
  const attribute = (description: string, extra: JsonSchema = {}): JsonSchema => ({
    type: "string",
    description,
    ...extra,
  });
  return {
    type: "object",
    description:
      "CloudEvents NATS binding. Binary mode (described here): one ce-<attribute> header per attribute, values " +
      "percent-encoded, the payload is the data. Structured mode: Content-Type application/cloudevents+json, " +
      "no ce- headers, the payload is the whole event with this data in its data member.",
    properties: {
      "ce-specversion": attribute("CloudEvents version.", { const: "1.0" }),
      // The decoder's limits (shared/cloudevents/event-attributes.ts); a test there holds the two equal.
      "ce-id": attribute("Unique per source; source and id identify the event.", ID_LENGTH),
      "ce-source": attribute("URI-reference of the producer.", SOURCE_LENGTH),
      "ce-type": attribute("The event type.", { const: EVENTS[name].type }),
      "ce-time": attribute("RFC 3339 time set by the producer.", { format: "date-time" }),
      "ce-datacontenttype": attribute("Media type of the payload.", { pattern: "^application/json(;.*)?$" }),
      ...(result && {
        "ce-causeid": attribute("Id of the triggering event.", ID_LENGTH),
      }),
      "Content-Type": attribute("application/cloudevents+json in structured mode."),
    },
    // Binary mode needs the ce- headers; structured mode carries the attributes in the payload instead.
    anyOf: [
      { required: ["ce-specversion", "ce-id", "ce-source", "ce-type", ...(result ? ["ce-causeid"] : [])] },
      {
        required: ["Content-Type"],
        properties: { "Content-Type": { pattern: "^application/cloudevents\\+json(;.*)?$" } },
      },
    ],
  };
}
