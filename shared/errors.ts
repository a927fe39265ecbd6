// Typed errors with stable codes: permanent ones are rejected at once, transient ones retried.

/**
 * Every code the runtime, the functions and the notifier use. `retryable` says whether a retry can
 * help; `deadLetter` marks permanent failures that are kept for redrive rather than rejected: no
 * event to refuse, or the fault is the receiver's, not the event's.
 */
export const ERROR_CODES = {
  BAD_EVENT: { retryable: false, deadLetter: true, summary: "the message is not a valid CloudEvent" },
  SCHEMA_INVALID: { retryable: false, summary: "the event's data does not match its schema" },
  WRONG_EVENT_TYPE: { retryable: false, summary: "the event's type is not the one this function handles" },
  POLICY_REFUSED: { retryable: false, summary: "the request is valid but the platform's policy refuses it" },
  STALE_REQUEST: {
    retryable: false,
    summary: "a newer request was already applied; this one changes nothing",
  },
  NOT_FOUND: { retryable: false, summary: "the object the event names does not exist" },
  FUTURE_EVENT_TIME: {
    retryable: false,
    summary: "the event's time is further ahead than the allowed clock skew",
  },
  NOT_KATA_CLASS: {
    retryable: false,
    summary: "a requested runtime class is not one of the platform's Kata classes",
  },
  NAMESPACE_TAKEN: { retryable: false, summary: "a requested namespace belongs to another tenant" },
  ADOPTION_NOT_APPROVED: {
    retryable: false,
    summary: "a requested namespace exists and no cluster operator approved its adoption",
  },
  NOT_TENANT_OWNER: {
    retryable: false,
    summary: "the tenant belongs to another source, and this one was not granted it",
  },
  RELEASE_HAS_PODS: {
    retryable: false,
    summary:
      "a namespace dropped from the tenant's request still runs pods, and the request did not say release: drain",
  },
  RELEASE_DRAINING: {
    retryable: true,
    summary:
      "the pods of a namespace being released are still being evicted (a disruption budget may hold them)",
  },
  CORDON_UNBOUND: {
    retryable: false,
    summary:
      "the tenant has no cordon binding (provisioned before cordons existed): replay its last tenant.requested first",
  },
  DELETION_PROTECTED: {
    retryable: false,
    summary:
      "the tenant's request set protection.deletion: a retire is refused until a request without it is applied",
  },
  TENANT_RETIRING: {
    retryable: false,
    summary:
      "a retire of the tenant is under way: no other change is applied to it (send it again after tenant.retired)",
  },
  RETIRE_NAMESPACES_TERMINATING: {
    retryable: true,
    summary:
      "the retired tenant's namespaces are still being deleted; its bindings and parameters go once they are gone",
  },
  KATA_NOT_READY: {
    retryable: false,
    summary:
      "kata-deploy has not labelled the node katacontainers.io/kata-runtime=true: Kata is not installed there, so its startup taint stays",
  },
  STALE_HINT: {
    retryable: false,
    summary: "the cluster no longer shows what the event reported (the node changed since); nothing was done",
  },
  ENFORCEMENT_PENDING: {
    retryable: true,
    summary: "the apiserver does not enforce the tenant's admission policies yet",
  },
  KUBE_REJECTED: { retryable: false, summary: "the Kubernetes API rejected the request" },
  KUBE_FORBIDDEN: { retryable: false, summary: "the function's identity may not do this" },
  KUBE_CONFLICT: { retryable: true, summary: "the object changed underneath; retry" },
  KUBE_THROTTLED: { retryable: true, summary: "the Kubernetes API asked us to slow down" },
  KUBE_UNAVAILABLE: { retryable: true, summary: "the Kubernetes API failed or could not be reached" },
  TIMEOUT: { retryable: true, summary: "the attempt or request passed its deadline" },
  SHUTDOWN: {
    retryable: true,
    summary:
      "the host stopped before the attempt finished; the event goes back to the stream, no attempt spent",
  },
  CRASH_LOOP: {
    retryable: false,
    deadLetter: true,
    summary: "the event was delivered again and again and never finished: its hosts died or lost its lease",
  },
  WEBHOOK_REJECTED: {
    retryable: false,
    deadLetter: true,
    summary:
      "the webhook answered 3xx or 4xx: the same request cannot help; redrive once the receiver is fixed",
  },
  WEBHOOK_UNAVAILABLE: {
    retryable: true,
    summary: "the webhook answered 5xx, 408, 425 or 429, or could not be reached",
  },
  INTERNAL: { retryable: true, summary: "an unexpected error in the function" },
  BUS_NOT_PROVISIONED: {
    retryable: false,
    summary: "a stream, the outcome bucket or a durable consumer is missing or differs: run icnctl provision",
  },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Permanent, yet not the event's refusal: dead-lettered at once (see ERROR_CODES). */
export function endsInDeadLetters(code: ErrorCode): boolean {
  const entry = ERROR_CODES[code];
  return "deadLetter" in entry && entry.deadLetter;
}

export class IcnError extends Error {
  override readonly name = "IcnError";
  readonly code: ErrorCode;
  readonly retryable: boolean;
  /** The least wait before a retry, when the other side said (an HTTP Retry-After). */
  readonly retryAfterMs?: number;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super(message, options);
    this.code = code;
    this.retryable = ERROR_CODES[code].retryable;
    if (options?.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

export function isIcnError(err: unknown): err is IcnError {
  return err instanceof IcnError;
}

/** Anything that is not a known permanent error is worth another attempt. */
export function isTransient(err: unknown): boolean {
  return isIcnError(err) ? err.retryable : true;
}

export function permanent(code: ErrorCode, message: string, cause?: unknown): IcnError {
  return new IcnError(code, message, { cause });
}

/** The code and message an outcome record or dead letter shows for any thrown value. */
export function describeError(err: unknown): { code: ErrorCode; message: string } {
  if (isIcnError(err)) return { code: err.code, message: err.message };
  return { code: "INTERNAL", message: err instanceof Error ? err.message : String(err) };
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
]);

function statusOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown; statusCode?: unknown } | null)?.code;
  return typeof code === "number" ? code : undefined;
}

function isNetworkError(err: unknown): boolean {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && NETWORK_CODES.has(code)) return true;
    if (e instanceof TypeError && /fetch failed/.test(e.message)) return true;
  }
  return false;
}

const STATUS_CODES: Record<number, ErrorCode> = {
  400: "KUBE_REJECTED",
  403: "KUBE_FORBIDDEN",
  404: "NOT_FOUND",
  409: "KUBE_CONFLICT",
  422: "KUBE_REJECTED",
  429: "KUBE_THROTTLED",
};

/** Maps a client-node error: 400/403/404/422 permanent; 409/429/5xx/network transient. */
export function classifyKubeError(err: unknown, what: string): IcnError {
  if (isIcnError(err)) return err;
  const status = statusOf(err);
  const detail = kubeMessage(err);
  if (status !== undefined) {
    const code = STATUS_CODES[status] ?? (status >= 500 ? "KUBE_UNAVAILABLE" : "KUBE_REJECTED");
    return new IcnError(code, `${what}: HTTP ${status}${detail ? `: ${detail}` : ""}`, { cause: err });
  }
  if (isNetworkError(err))
    return new IcnError("KUBE_UNAVAILABLE", `${what}: apiserver unreachable`, { cause: err });
  return new IcnError("INTERNAL", `${what}: ${detail ?? String(err)}`, { cause: err });
}

function kubeMessage(err: unknown): string | undefined {
  const body = (err as { body?: unknown } | null)?.body;
  if (typeof body === "string") {
    try {
      return (JSON.parse(body) as { message?: string }).message ?? body.slice(0, 300);
    } catch {
      return body.slice(0, 300);
    }
  }
  if (body && typeof body === "object" && "message" in body) return String(body.message);
  return err instanceof Error ? err.message : undefined;
}
