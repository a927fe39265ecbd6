// A bare NATS protocol client for hostile input nats.js will not build: a header block with a name or
// value nats.js refuses. nats-server stores such a block as it is, so the host must cope with one.
import { connect as tcp, type Socket } from "node:net";

const CRLF = "\r\n";

/** Publishes `headerBlock` (from "NATS/1.0" to its blank line) and `payload`; resolves with the stream sequence. */
export async function publishRawHeaderBlock(
  natsUrl: string,
  subject: string,
  headerBlock: string,
  payload: string | Uint8Array,
): Promise<number> {
  const { hostname, port } = new URL(natsUrl);
  const socket = tcp({ host: hostname, port: Number(port) });
  try {
    const reply = pubAck(socket);
    const inbox = `_INBOX.raw${Date.now()}`;
    const head = Buffer.from(headerBlock);
    const body = Buffer.from(payload);
    socket.write(`CONNECT {"verbose":false,"pedantic":false,"headers":true,"protocol":1}${CRLF}`);
    socket.write(`SUB ${inbox} 1${CRLF}`);
    socket.write(`HPUB ${subject} ${inbox} ${head.length} ${head.length + body.length}${CRLF}`);
    socket.write(Buffer.concat([head, body, Buffer.from(CRLF)]));
    const ack = JSON.parse(await reply) as { seq?: number; error?: { description?: string } };
    if (ack.seq === undefined) throw new Error(`JetStream did not store it: ${JSON.stringify(ack)}`);
    return ack.seq;
  } finally {
    socket.destroy();
  }
}

const REPLY_TIMEOUT_MS = 10_000;

/** The payload of the first MSG the server sends, or the reason it refused us. */
function pubAck(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = "";
    socket.setTimeout(REPLY_TIMEOUT_MS, () =>
      reject(new Error(`no reply from nats-server within ${REPLY_TIMEOUT_MS} ms`)),
    );
    socket.on("error", reject);
    socket.on("close", () => reject(new Error("nats-server closed the connection")));
    socket.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("latin1");
      const error = /^-ERR (.*)$/m.exec(buffered);
      if (error) return reject(new Error(`nats-server refused: ${error[1]}`));
      if (/^PING\r$/m.test(buffered)) socket.write(`PONG${CRLF}`);
      const msg = /^MSG \S+ \S+ (\d+)\r\n/m.exec(buffered);
      if (!msg) return;
      const start = msg.index + msg[0].length;
      const length = Number(msg[1]);
      if (buffered.length >= start + length) resolve(buffered.slice(start, start + length));
    });
  });
}
