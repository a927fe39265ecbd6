// docs/INTEGRATIONS.md's start commands, run as written (only the file paths and the NATS URL filled in):
// a guide whose first command fails loses its reader at once.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { repoRoot } from "../../deploy/local/paths.ts";
import { ensureStreams } from "../../shared/host/streams.ts";
import { natsConnection } from "../harness/servers.ts";
import { testConfig, waitUntil } from "../runtime/support.ts";
import { sourcesFile, sourceEntries } from "./support.ts";

const guide = readFileSync(join(repoRoot, "docs/INTEGRATIONS.md"), "utf8");
const started: ChildProcess[] = [];
let nc: NatsConnection;

/** The first shell block after a heading: the command the guide tells its reader to run. */
function commandUnder(heading: string): string {
  const section = guide.slice(guide.indexOf(heading));
  const block = /```sh\n([^\n]+)\n```/.exec(section)?.[1];
  if (!block) throw new Error(`docs/INTEGRATIONS.md has no sh block under ${heading}`);
  return block;
}

/** The reader's PATH: without the node_modules/.bin that `make test` put first (its Node is not theirs). */
const readersPath = (process.env.PATH ?? "")
  .split(":")
  .filter((dir) => !dir.includes("node_modules"))
  .join(":");

/** Runs a command line in its own process group, so the whole npm → node chain stops with it. */
function runInShell(
  command: string,
  env: Record<string, string>,
): { output: () => string; exited: () => boolean } {
  let output = "";
  let exited = false;
  const child = spawn("bash", ["-c", command], {
    cwd: repoRoot,
    env: { ...process.env, ...env, PATH: readersPath },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  started.push(child);
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.once("exit", () => (exited = true));
  return { output: () => output, exited: () => exited };
}

beforeAll(async () => {
  nc = await natsConnection();
});
afterEach(() => {
  for (const child of started.splice(0)) {
    try {
      if (child.pid) process.kill(-child.pid, "SIGKILL");
    } catch {
      // the group has exited already
    }
  }
});
afterAll(async () => {
  await nc.close();
});

test.each([
  {
    heading: "## The HTTP ingress",
    file: "/etc/icn/ingress-sources.json",
    contents: (): string => readFileSync(sourcesFile(sourceEntries()), "utf8"),
    ready: /"msg":"ingress listening"/,
  },
  {
    heading: "## Outbound webhooks",
    file: "/etc/icn/webhooks.json",
    contents: (): string =>
      JSON.stringify([
        {
          name: "ops",
          url: "http://127.0.0.1:9/hook",
          secret: "0123456789abcdef",
          types: ["tenant.rejected"],
        },
      ]),
    ready: /"msg":"notifier ready"/,
  },
])("the guide's command under $heading starts as written", async ({ heading, file, contents, ready }) => {
  const config = testConfig();
  await ensureStreams(await jetstreamManager(nc), config);
  const written = join(mkdtempSync(join(tmpdir(), "icn-guide-")), "config.json");
  writeFileSync(written, contents());
  const command = commandUnder(heading);
  expect(command).toContain(file);
  expect(command).toContain("nats://…");
  const run = runInShell(command.replace(file, written).replace("nats://…", config.natsUrl), {
    // Not in the guide's line, so a second copy of the suite does not collide on the default ports.
    ICN_INGRESS_PORT: "0",
    ICN_HTTP_PORT: "0",
    ICN_SUBJECT_PREFIX: config.prefix,
    ICN_LOG_LEVEL: "info",
  });
  await waitUntil(`${heading}'s process ready`, () => {
    if (ready.test(run.output())) return Promise.resolve(true);
    if (run.exited()) throw new Error("the command exited before it was ready");
    return Promise.resolve(undefined);
  }).catch((err: unknown) => {
    throw new Error(`${String(err)}\noutput:\n${run.output().slice(-2000)}`);
  });
});
