// Why a NATS message could not be turned into a CloudEvent (or an event into a message), as a stable code.

/** Every code the binding throws. All are permanent: the same bytes fail the same way on every retry. */
export const BINDING_ERROR_CODES = {
  NOT_A_CLOUDEVENT: "the message has neither a structured Content-Type nor a ce-specversion header",
  UNSUPPORTED_FORMAT: "the message is a structured CloudEvent in an event format other than JSON",
  INVALID_JSON: "the structured payload, or JSON data, is not valid JSON of the expected shape",
  INVALID_HEADER: "the message's NATS header block has a name or value NATS does not allow",
  INVALID_PERCENT_ENCODING: "a ce- header value is not validly quoted or percent-encoded",
  UNSUPPORTED_SPECVERSION: "the event's specversion is not 1.0",
  MISSING_ATTRIBUTE: "a required attribute (id, source, specversion, type) is absent",
  INVALID_ATTRIBUTE: "an attribute's name, type or value breaks the CloudEvents spec",
  ATTRIBUTE_TOO_LONG:
    "an attribute is longer than its limit (id 256, source 1024, any other 4096 characters)",
  INVALID_DATA: "the event's data cannot be carried with, or read as, its datacontenttype",
  PAYLOAD_TOO_LARGE: "the payload is larger than the receiver accepts",
} as const;

export type BindingErrorCode = keyof typeof BINDING_ERROR_CODES;

export class BindingError extends Error {
  override readonly name = "BindingError";
  readonly code: BindingErrorCode;

  constructor(code: BindingErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isBindingError(err: unknown): err is BindingError {
  return err instanceof BindingError;
}
