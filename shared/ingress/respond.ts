// JSON answers of the ingress: one shape for every error, so a ticketing system can show the reason.
import type { ServerResponse } from "node:http";
import type { Issue } from "./decode.ts";

/** The `error` member of each error answer, by HTTP status. */
export const ERRORS = {
  400: "invalid_event",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  413: "payload_too_large",
  415: "unsupported_media_type",
  500: "internal",
  503: "unavailable",
} as const;

export type ErrorStatus = keyof typeof ERRORS;

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export interface Problem {
  message: string;
  issues?: Issue[];
  headers?: Record<string, string>;
}

export function sendProblem(res: ServerResponse, status: ErrorStatus, problem: Problem): void {
  const body = {
    error: ERRORS[status],
    message: problem.message,
    ...(problem.issues ? { issues: problem.issues } : {}),
  };
  sendJson(res, status, body, problem.headers);
}
