// Interop with a peer no one here wrote: the official CloudEvents Go SDK's JetStream binding
// sends events our host handles, and parses the result events our host emits.
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { join } from "node:path";
import type { NatsConnection } from "@nats-io/transport-node";
import { repoRoot } from "../../deploy/local/paths.ts";
import type { RuntimeConfig } from "../../shared/config.ts";
import { defineFunction } from "../../shared/function.ts";
import type { Host } from "../../shared/host/host.ts";
import { natsConnection, uniqueName } from "../harness/servers.ts";
import { startTestHost, testConfig, waitForOutcome } from "../runtime/support.ts";

const run = promisify(execFile);
let nc: NatsConnection;
let config: RuntimeConfig;
let host: Host;
let peer: string;

// The handler echoes an extension the Go SDK wrote without percent-encoding (raw UTF-8, a space):
// a value with no "%" must decode to itself. (A raw "%" is an invalid encoding and is refused.)
const echo = defineFunction({
  name: "echo",
  on: "node.joined",
  emits: ["node.kata-enabled"],
  handle: async (event, ctx) => {
    await ctx.emit("node.kata-enabled", {
      node: event.data.node,
      reason: `note=${String((event as unknown as Record<string, unknown>).note)}`,
    });
  },
});

beforeAll(async () => {
  peer = execFileSync("bash", [join(repoRoot, "test/interop/build-go-peer.sh")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
  nc = await natsConnection();
  config = testConfig();
  host = await startTestHost(nc, config, [echo]);
}, 600_000);
afterAll(async () => {
  await host.drain();
  await nc.close();
});

const send = (mode: "binary" | "structured", id: string, node: string): Promise<unknown> =>
  run(
    peer,
    [
      "send",
      "--url",
      config.natsUrl,
      "--stream",
      config.eventsStream,
      "--subject",
      `${config.prefix}.node.joined`,
      "--mode",
      mode,
    ].concat([
      "--id",
      id,
      "--source",
      "urn:go-sdk:peer",
      "--type",
      "org.akraino.icn.node.joined",
      "--data",
      JSON.stringify({ node }),
      "--time",
      "now",
      "--ext",
      "note=sure, ü",
    ]),
  );

test.each([["binary"], ["structured"]] as const)(
  "a %s-mode event from the Go SDK is handled",
  async (mode) => {
    const id = uniqueName(`go-${mode}`);
    await send(mode, id, `${mode}-node`);
    const outcome = await waitForOutcome(host, { id, source: "urn:go-sdk:peer" }, "echo", [
      "succeeded",
      "rejected",
      "dead-lettered",
    ]);
    expect(outcome).toMatchObject({ state: "succeeded", attempts: 1 });
  },
);

test("the Go SDK receives and parses our result events, causeid and data included", async () => {
  const id = uniqueName("go-result");
  await send("binary", id, "result-node");
  await waitForOutcome(host, { id, source: "urn:go-sdk:peer" }, "echo", ["succeeded"]);
  const { stdout } = await run(peer, [
    "receive",
    "--url",
    config.natsUrl,
    "--stream",
    config.eventsStream,
    "--subject",
    `${config.prefix}.node.kata-enabled`,
    "--count",
    "3",
    "--timeout",
    "20s",
  ]);
  const events = stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const mine = events.find((e) => e.causeid === id);
  expect(mine).toMatchObject({
    specversion: "1.0",
    type: "org.akraino.icn.node.kata-enabled",
    datacontenttype: "application/json",
    data: { node: "result-node", reason: "note=sure, ü" },
  });
});
