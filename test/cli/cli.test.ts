// icnctl as a whole: help and exit codes everywhere, connecting (env, .icn/env, unreachable), run, local.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { CoreV1Api } from "@kubernetes/client-node";
import { killAll, spawnNode } from "../harness/processes.ts";
import { kubeConfig, natsConnection, uniqueName } from "../harness/servers.ts";
import { streamMessages, testConfig, waitUntil } from "../runtime/support.ts";
import { freePort } from "../../deploy/local/processes.ts";
import { CLI, cliEnv, icnctl, json } from "./support.ts";

let nc: NatsConnection;

beforeAll(async () => {
  nc = await natsConnection();
});
afterAll(async () => {
  killAll();
  await nc.close();
});

const COMMANDS = [
  ["publish"],
  ["tail"],
  ["replay"],
  ["replay", "log"],
  ["dlq", "ls"],
  ["dlq", "show"],
  ["dlq", "redrive"],
  ["dlq", "purge"],
  ["status"],
  ["run"],
  ["local", "up"],
  ["local", "down"],
  ["local", "status"],
];

const WIDE = new Set(["status", "dlq ls"]);

test.each(COMMANDS.map((command) => [command.join(" "), command] as const))(
  "icnctl %s --help describes the command and its --output option",
  async (name, command) => {
    const result = await icnctl([...command, "--help"], {});
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Usage: icnctl ${name} `));
    // status and dlq ls cut long values in their tables, so they also offer -o wide.
    const formats = WIDE.has(name) ? '"table",\\s+"wide",\\s+"json"' : '"table",\\s+"json"';
    expect(result.stdout).toMatch(
      new RegExp(
        `-o, --output <format>\\s+table for people, json for scripts[^(]*\\(choices:\\s+${formats},\\s+default: "table"\\)`,
      ),
    );
  },
);

test("icnctl --help lists every command and the exit codes", async () => {
  const result = await icnctl(["--help"], {});
  for (const name of ["publish", "tail", "replay", "dlq", "status", "run", "ingress", "notify", "local"])
    expect(result.stdout).toMatch(new RegExp(`^  ${name} `, "m"));
  expect(result.stdout).toMatch(/^ {2}4 {2}partial failure/m);
});

test.each([
  [["frobnicate"], /^error: unknown command 'frobnicate'; see "icnctl --help"\n$/],
  [
    ["status", "--output", "yaml"],
    /^error: option '-o, --output <format>' argument 'yaml' is invalid.*; see "icnctl status --help"\n$/,
  ],
  [["dlq"], /Usage: icnctl dlq/],
])("usage errors (%j) exit 2", async (args, message) => {
  const result = await icnctl(args, {});
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(message);
});

test("an unreachable NATS is a one-line error that says to start the platform, exit 1", async () => {
  const result = await icnctl(["status"], { NATS_URL: "nats://127.0.0.1:1", ICN_SUBJECT_PREFIX: "nowhere" });
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(
    /^error: cannot reach NATS at nats:\/\/127\.0\.0\.1:1 .*; is the platform up\? run make up.*\n$/,
  );
});

test("without NATS_URL, icnctl reads the .icn/env that make up writes", async () => {
  const state = mkdtempSync(join(tmpdir(), "icn-state-"));
  writeFileSync(
    join(state, "env"),
    `export KUBECONFIG='/nonexistent'\nexport NATS_URL='${process.env.NATS_URL}'\n`,
  );
  const prefix = testConfig().prefix;
  const withFile = await icnctl(
    ["dlq", "ls", "-o", "json"],
    { ICN_STATE_DIR: state, ICN_SUBJECT_PREFIX: prefix },
    { unset: ["NATS_URL"] },
  );
  expect(withFile).toMatchObject({ code: 0, stdout: "[]\n" });
  const empty = mkdtempSync(join(tmpdir(), "icn-state-"));
  writeFileSync(join(empty, "env"), "export NATS_URL='nats://127.0.0.1:1'\n");
  const wrong = await icnctl(
    ["dlq", "ls"],
    { ICN_STATE_DIR: empty, ICN_SUBJECT_PREFIX: prefix },
    { unset: ["NATS_URL"] },
  );
  expect(wrong.code).toBe(1);
});

test.each([["status"], ["publish", "node.joined", "--data", '{"node":"n1"}']])(
  "%s on a prefix no host has used exits 3 and says to start one",
  async (...args) => {
    const result = await icnctl(args, cliEnv(testConfig()));
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /^error: there is no events stream \S+_EVENTS .*; start a function host first \(icnctl run\)/,
    );
  },
);

test("run hosts the named functions and the watchers until interrupted, then drains and exits 0", async () => {
  const config = testConfig();
  // The watchers see only this test's nodes: the platform is shared with other suites.
  const scope = uniqueName("run");
  const env = {
    ...cliEnv(config),
    ICN_HTTP_PORT: "0",
    ICN_LOG_LEVEL: "warn",
    ICN_WATCHERS: "node-watcher",
    ICN_WATCH_NODE_SELECTOR: `icn-test/scope=${scope}`,
  };
  const host = spawnNode(CLI, env, ["run", "label-kata-node", "-o", "json"]);
  await host.waitFor(/"ready":\{"functions":\["label-kata-node"\],"watchers":true/);
  const consumer = await (await jetstreamManager(nc)).consumers.info(config.eventsStream, "label-kata-node");
  expect(consumer.config.durable_name).toBe("label-kata-node");
  const core = kubeConfig().makeApiClient(CoreV1Api);
  const name = uniqueName("run-node");
  await core.createNode({
    body: { metadata: { name, labels: { "icn-test/scope": scope, "kubernetes.io/arch": "arm64" } } },
  });
  const kata = await waitUntil(
    "the watcher and the function to label the node",
    async () => (await core.readNode({ name })).metadata?.labels?.["icn.akraino.org/kata"],
  );
  expect(kata).toBe("enabled");
  host.child.kill("SIGINT");
  expect(await host.exited).toBe(0);
});

test("run with an unknown function exits 2 and names the known ones", async () => {
  const result = await icnctl(["run", "no-such-function"], cliEnv(testConfig()));
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/unknown function "no-such-function"; known: provision-tenant/);
});

test("local status reports the embedded platform's servers as JSON", async () => {
  const result = await icnctl(["local", "status", "--output", "json"], {});
  expect(result.code).toBe(0);
  const report = json<{ servers: { name: string; running: boolean }[] }>(result);
  expect(report.servers.find((s) => s.name === "nats-server")?.running).toBe(true);
});

test("icnctl ingress serves the HTTP ingress and drains on SIGTERM", async () => {
  const config = testConfig();
  const dir = mkdtempSync(join(tmpdir(), "icn-ingress-"));
  const sources = join(dir, "sources.json");
  writeFileSync(
    sources,
    JSON.stringify([{ name: "jira", token: "a-token-of-sixteen-chars", allowedTypes: ["tenant.requested"] }]),
  );
  const port = String(await freePort());
  const ingress = spawnNode(
    CLI,
    { ...cliEnv(config), ICN_INGRESS_SOURCES: sources, ICN_INGRESS_PORT: port, ICN_LOG_LEVEL: "info" },
    ["ingress"],
  );
  await ingress.waitFor(/ingress/i);
  const health = await waitUntil("the ingress to answer", () =>
    fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.status,
      () => undefined,
    ),
  );
  expect(health).toBe(200);
  const unauthenticated = await fetch(`http://127.0.0.1:${port}/events`, { method: "POST", body: "{}" });
  expect(unauthenticated.status).toBe(401);
  ingress.child.kill("SIGTERM");
  expect(await ingress.exited).toBe(0);
});

test("run --watchers-only publishes what the watchers see, with no function consuming", async () => {
  const config = testConfig();
  const scope = uniqueName("watch");
  const env = {
    ...cliEnv(config),
    ICN_HTTP_PORT: "0",
    ICN_LOG_LEVEL: "warn",
    ICN_WATCHERS: "node-watcher",
    ICN_WATCH_NODE_SELECTOR: `icn-test/scope=${scope}`,
  };
  const host = spawnNode(CLI, env, ["run", "--watchers-only", "-o", "json"]);
  await host.waitFor(/"ready":\{"functions":\[\],"watchers":true/);
  const name = uniqueName("watched");
  await kubeConfig()
    .makeApiClient(CoreV1Api)
    .createNode({ body: { metadata: { name, labels: { "icn-test/scope": scope } } } });
  const published = await waitUntil("node.joined for the new node", async () => {
    const messages = await streamMessages(nc, config.eventsStream, `${config.prefix}.node.joined`).catch(
      () => [],
    );
    return messages.find((m) => new TextDecoder().decode(m.data).includes(name));
  });
  expect(published.headers["ce-source"]).toEqual(["urn:icn-secure-tenancy/node-watcher"]);
  host.child.kill("SIGTERM");
  expect(await host.exited).toBe(0);
});
