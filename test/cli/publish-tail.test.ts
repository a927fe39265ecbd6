// icnctl publish and tail against the real nats-server: validation before publishing, ids, filters.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { subjectOf } from "../../schemas/events.ts";
import type { RuntimeConfig } from "../../shared/config.ts";
import { newEvent, publishEvent } from "../../shared/events.ts";
import { defineFunction } from "../../shared/function.ts";
import type { Host } from "../../shared/host/host.ts";
import { killAll, spawnNode } from "../harness/processes.ts";
import { publishRawHeaderBlock } from "../harness/raw-nats.ts";
import { natsConnection } from "../harness/servers.ts";
import { startTestHost, streamMessages, testConfig, waitUntil } from "../runtime/support.ts";
import { CLI, cliEnv, icnctl, json, jsonLines } from "./support.ts";

let nc: NatsConnection;
let config: RuntimeConfig;
let host: Host;
let env: Record<string, string>;

// The host only provisions the streams here; what it does with the events does not matter.
const sink = defineFunction({ name: "sink", on: "tenant.requested", emits: [], handle: async () => {} });

beforeAll(async () => {
  nc = await natsConnection();
  config = testConfig();
  host = await startTestHost(nc, config, [sink]);
  env = cliEnv(config);
});
afterAll(async () => {
  killAll();
  await host.drain();
  await nc.close();
});

const acme = { tenant: "acme", admins: [{ kind: "User", name: "alice" }] };
const stored = async (
  name: Parameters<typeof subjectOf>[1],
): Promise<Awaited<ReturnType<typeof streamMessages>>> =>
  streamMessages(nc, config.eventsStream, subjectOf(config.prefix, name));
const withId = (id: string) => (m: { headers: Record<string, string[]> }) => m.headers["ce-id"]?.[0] === id;

describe("publish", () => {
  test("validates the data, publishes the event and prints its id", async () => {
    const result = await icnctl(["publish", "tenant.requested", "--data", JSON.stringify(acme)], env);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const id = result.stdout.trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const message = (await stored("tenant.requested")).find(withId(id));
    expect(JSON.parse(new TextDecoder().decode(message?.data))).toEqual(acme);
  });

  test("--output json gives id, type, subject, seq and duplicate; the same source and id again is a duplicate", async () => {
    const args = [
      "publish",
      "node.joined",
      "--data",
      '{"node":"worker-1"}',
      "--source",
      "urn:test:cli",
      "--id",
      "evt-1",
      "-o",
      "json",
    ];
    const first = json<Record<string, unknown>>(await icnctl(args, env));
    expect(first).toEqual({
      id: "evt-1",
      type: "org.akraino.icn.node.joined",
      subject: `${config.prefix}.node.joined`,
      seq: expect.any(Number) as number,
      duplicate: false,
    });
    const again = await icnctl(args, env);
    expect(json(again)).toEqual({ ...first, duplicate: true });
    expect(again.stderr).toMatch(/already stored/);
    expect((await stored("node.joined")).filter(withId("evt-1"))).toHaveLength(1);
  });

  test("invalid data: each field error is printed, the exit code is 2, and nothing is published", async () => {
    const before = (await stored("tenant.requested")).length;
    const bad = { tenant: "kube-system", admins: [{ kind: "Robot", name: "r2" }], colour: "red" };
    const result = await icnctl(["publish", "tenant.requested", "--data", JSON.stringify(bad)], env);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^ {2}tenant: .*reserved/m);
    expect(result.stderr).toMatch(/^ {2}admins\.0.*: .*kind/m);
    expect(result.stderr).toMatch(/colour/);
    expect(result.stderr).toMatch(/^error: --data is not a valid tenant\.requested .*nothing was published/m);
    expect(await stored("tenant.requested")).toHaveLength(before);
  });

  test("reads --data from @file, takes the full CloudEvents type, and publishes in structured mode", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "icnctl-")), "pod.json");
    writeFileSync(file, JSON.stringify({ namespace: "acme-web", pod: "web-0", reason: "runc" }));
    const result = await icnctl(
      ["publish", "org.akraino.icn.pod.unsafe", "--data", `@${file}`, "--mode", "structured", "-o", "json"],
      env,
    );
    const { id } = json<{ id: string }>(result);
    const message = (await stored("pod.unsafe")).find(
      (m) => (JSON.parse(new TextDecoder().decode(m.data)) as { id?: string }).id === id,
    );
    expect(message?.headers["Content-Type"]).toEqual(["application/cloudevents+json"]);
  });

  test.each([
    [
      ["publish", "tenant.exploded", "--data", "{}"],
      /unknown event type "tenant\.exploded"; use one of tenant\.requested/,
    ],
    [["publish", "node.joined", "--data", "{node:"], /--data is not JSON/],
    [["publish", "node.joined", "--data", "@/nonexistent/file.json"], /cannot read --data file/],
    [["publish", "node.joined"], /required option '-d, --data/],
  ])("a usage error (%j) exits 2 with one line saying what to do", async (args, message) => {
    const result = await icnctl(args, env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });
});

describe("tail", () => {
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    const js = jetstream(nc);
    const events = {
      globexRequest: newEvent({
        name: "tenant.requested",
        source: "urn:test:portal",
        data: { tenant: "globex", admins: [{ kind: "User", name: "hank" }] },
      }),
      globexPod: newEvent({
        name: "pod.unsafe",
        source: "urn:test:detector",
        data: { namespace: "globex-web", pod: "api-0", reason: "runc" },
      }),
      initechPod: newEvent({
        name: "pod.unsafe",
        source: "urn:test:detector",
        data: { namespace: "initech", pod: "db-0" },
      }),
      node: newEvent({ name: "node.joined", source: "urn:test:provisioner", data: { node: "tail-node" } }),
      result: newEvent({
        name: "node.kata-enabled",
        source: "urn:test:fn",
        data: { node: "tail-node", reason: "vmx" },
        extensions: { causeid: "cause-123" },
      }),
    };
    for (const [key, event] of Object.entries(events)) {
      await publishEvent(js, config.prefix, event);
      ids[key] = event.id;
    }
  });

  test("--no-follow prints every stored event, one readable line each, and exits", async () => {
    const result = await icnctl(["tail", "--no-follow"], env);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split("\n");
    const podLine = lines.find((l) => l.includes(ids.globexPod!));
    expect(podLine).toMatch(
      /^\d{4}-\d\d-\d\dT\S+ {2}pod\.unsafe {2}\S+ {2}urn:test:detector {2}pod=globex-web\/api-0 reason="runc"$/,
    );
    expect(lines.find((l) => l.includes(ids.result!))).toMatch(
      /node\.kata-enabled .*cause=cause-123 {2}node=tail-node/,
    );
    for (const id of Object.values(ids)) expect(result.stdout).toContain(id);
  });

  test("--type keeps one kind of event", async () => {
    const result = await icnctl(["tail", "--no-follow", "--type", "pod.unsafe"], env);
    expect(result.stdout).toContain(ids.globexPod);
    expect(result.stdout).toContain(ids.initechPod);
    expect(result.stdout).not.toContain(ids.globexRequest);
    expect(result.stdout).not.toContain(ids.node);
  });

  test("--tenant keeps events naming the tenant or one of its namespaces", async () => {
    const result = await icnctl(["tail", "--no-follow", "--tenant", "globex"], env);
    expect(result.stdout).toContain(ids.globexRequest);
    expect(result.stdout).toContain(ids.globexPod);
    expect(result.stdout).not.toContain(ids.initechPod);
    expect(result.stdout).not.toContain(ids.node);
  });

  test("--output json prints one JSON object per event, with its causeid", async () => {
    const records = jsonLines(
      await icnctl(["tail", "--no-follow", "--type", "node.kata-enabled", "-o", "json"], env),
    );
    expect(records).toEqual([
      expect.objectContaining({
        id: ids.result,
        type: "org.akraino.icn.node.kata-enabled",
        causeid: "cause-123",
        data: { node: "tail-node", reason: "vmx" },
      }),
    ]);
  });

  test("--since in the future shows nothing; a bad --since exits 2", async () => {
    expect(await icnctl(["tail", "--no-follow", "--since", "2100-01-01T00:00:00Z"], env)).toMatchObject({
      code: 0,
      stdout: "",
    });
    const recent = await icnctl(["tail", "--no-follow", "--since", "1h", "--type", "node.joined"], env);
    expect(recent.stdout).toContain(ids.node);
    const bad = await icnctl(["tail", "--since", "yesterday"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--since "yesterday" is neither a duration nor a date; use 10m/);
  });

  test("without --no-follow it prints new events as they are stored, until interrupted", async () => {
    const tail = spawnNode(CLI, env, ["tail", "--type", "node.joined", "--output", "json"]);
    const js = jetstream(nc);
    // The live consumer starts only with new events, so keep publishing until one shows up.
    const seen = await waitUntil("tail to print a new event", async () => {
      const event = newEvent({ name: "node.joined", source: "urn:test:live", data: { node: "live-node" } });
      await publishEvent(js, config.prefix, event);
      await new Promise((r) => setTimeout(r, 300));
      return tail.output().includes(event.id) ? event.id : undefined;
    });
    expect(tail.output()).not.toContain(ids.node);
    tail.child.kill("SIGINT");
    expect(await tail.exited).toBe(0);
    const line = tail
      .output()
      .split("\n")
      .find((l) => l.includes(seen));
    expect(JSON.parse(line ?? "")).toMatchObject({ id: seen, source: "urn:test:live" });
  });

  // Last: the other tests read these subjects with nats.js, which cannot read this message.
  test("a message no client can read is one unreadable line with the reason; the others still print", async () => {
    const block = "NATS/1.0\r\nce-specversion: 1.0\r\nnot a name: x\r\n\r\n";
    const subject = subjectOf(config.prefix, "node.kata-enabled");
    const seq = await publishRawHeaderBlock(config.natsUrl, subject, block, "{}");
    const result = await icnctl(["tail", "--no-follow"], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`seq=${seq} .* unreadable: header name "not a name"`));
    expect(result.stdout).toContain(ids.node);
  });
});
