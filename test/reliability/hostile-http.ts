// Hostile HTTP requests for the ingress, written byte for byte on a socket so header injection and broken bytes reach the server.
import fc from "fast-check";
import { connect } from "node:net";
import { hostilePayload, hostileString, structuredEvent } from "./hostile.ts";
import type { Verdict } from "./verdicts.ts";

export interface HostileRequest {
  headers: [string, string][];
  body: Uint8Array;
}

/** Requests with valid, unknown or mangled tokens, content types and ce- headers, and hostile bodies. */
export function hostileRequest(
  tokens: readonly string[],
  sources: readonly string[],
): fc.Arbitrary<HostileRequest> {
  // Mostly within Node's 16 KiB header limit, so most requests reach the ingress itself.
  const headerText = hostileString.filter((t) => t.length < 4096);
  const authorization = fc.oneof(
    fc.constantFrom(...tokens.map((t) => `Bearer ${t}`), "Bearer nope", "Basic YTpi", "Bearer", ""),
    headerText.map((s) => `Bearer ${s}`),
  );
  const contentType = fc.oneof(
    fc.constantFrom(
      "application/cloudevents+json",
      "application/cloudevents-batch+json",
      "application/json",
      "text/plain",
    ),
    headerText,
  );
  const ceNames = fc.oneof(
    fc.constantFrom("ce-specversion", "ce-id", "ce-source", "ce-type", "ce-time"),
    fc.stringMatching(/^ce-[a-z]{1,8}$/),
  );
  return fc
    .record({
      authorization,
      contentType,
      ce: fc.dictionary(ceNames, headerText, { maxKeys: 5 }),
      body: fc.oneof(hostilePayload, structuredEvent(sources)),
    })
    .map(({ authorization: a, contentType: c, ce, body }) => ({
      headers: [["Authorization", a], ["Content-Type", c], ...Object.entries(ce)],
      body,
    }));
}

export type RawAnswer = { status: number; body: string } | { status: "timeout" | "reset" };

/** POSTs header lines as given (CR/LF included) and reads the answer until the server closes. */
export function rawPost(
  port: number,
  path: string,
  request: HostileRequest,
  timeoutMs: number,
): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    const done = (answer: RawAnswer): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => done({ status: "timeout" }), timeoutMs);
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", () => done(chunks.length ? parse(Buffer.concat(chunks)) : { status: "reset" }));
    socket.on("end", () => done(parse(Buffer.concat(chunks))));
    const lines = [
      `POST ${path} HTTP/1.1`,
      "Host: 127.0.0.1",
      "Connection: close",
      `Content-Length: ${request.body.byteLength}`,
      ...request.headers.map(([k, v]) => `${k}: ${v}`),
    ];
    socket.write(Buffer.from(lines.join("\r\n") + "\r\n\r\n", "latin1"));
    socket.end(request.body);
  });
}

function parse(response: Buffer): RawAnswer {
  const text = response.toString("utf8");
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
  if (!status) return { status: "reset" };
  return { status, body: text.slice(text.indexOf("\r\n\r\n") + 4) };
}

// 431: Node refuses header sections over 16 KiB itself, before the ingress sees them.
const ANSWERS: ReadonlySet<number> = new Set([202, 400, 401, 403, 413, 415, 431]);

/** 202, or a 4xx with a reason; a 5xx, a hang or a reset is a defect and throws. */
export function ingressVerdict(answer: RawAnswer, request: HostileRequest): Verdict {
  if (typeof answer.status !== "number" || !ANSWERS.has(answer.status))
    throw new Error(`answered ${answer.status} to ${JSON.stringify(request.headers).slice(0, 300)}`);
  if (answer.status === 202) return { accepted: true };
  // Node's own parser refuses malformed requests with a bare 400; everything the ingress answers has a message.
  if ("body" in answer && answer.body && !/"message"/.test(answer.body))
    throw new Error(`a ${answer.status} without a reason: ${answer.body.slice(0, 200)}`);
  return { accepted: false, code: `HTTP ${answer.status}`, reason: "" };
}
