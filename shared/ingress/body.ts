// Reads a request body up to a byte limit, counting as it goes, and stops at the limit.
import type { IncomingMessage } from "node:http";

export class BodyTooLarge extends Error {
  override readonly name = "BodyTooLarge";
  readonly limit: number;

  constructor(limit: number, seen: number) {
    super(`the body is larger than ${limit} bytes (at least ${seen} bytes arrived)`);
    this.limit = limit;
  }
}

/** A declared Content-Length over the limit is refused before a byte is read. */
export function declaredTooLarge(req: IncomingMessage, maxBytes: number): BodyTooLarge | undefined {
  const declared = Number(req.headers["content-length"]);
  return Number.isFinite(declared) && declared > maxBytes ? new BodyTooLarge(maxBytes, declared) : undefined;
}

/**
 * Chunked bodies have no declared length, so bytes are counted as they arrive; past the limit the
 * stream is paused and nothing more is buffered.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const early = declaredTooLarge(req, maxBytes);
  if (early) return Promise.reject(early);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let seen = 0;
    const onData = (chunk: Buffer): void => {
      seen += chunk.byteLength;
      if (seen > maxBytes) {
        cleanup();
        req.pause();
        reject(new BodyTooLarge(maxBytes, seen));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => (cleanup(), resolve(Buffer.concat(chunks, seen)));
    const onError = (err: Error): void => (cleanup(), reject(err));
    const cleanup = (): void => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
  });
}
