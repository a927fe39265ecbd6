// `npm pack` gives a package that, installed into an empty folder, runs icnctl --help and icnctl run.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { repoRoot } from "../../deploy/local/paths.ts";
import { killAll, spawnNode } from "../harness/processes.ts";
import { natsConnection } from "../harness/servers.ts";
import { testConfig } from "../runtime/support.ts";

const work = mkdtempSync(join(tmpdir(), "icn-pack-"));
// Node 24 first on PATH, as the package's users have it: the bin's shebang runs whatever `node` is.
const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}` };
const app = join(work, "app");
const bin = join(app, "node_modules/.bin/icnctl");
let nc: NatsConnection;

beforeAll(async () => {
  execFileSync("npm", ["pack", "--pack-destination", work], { cwd: repoRoot, env, stdio: "pipe" });
  const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"));
  if (!tarball) throw new Error(`npm pack wrote no tarball into ${work}`);
  execFileSync("mkdir", ["-p", app]);
  writeFileSync(
    join(app, "package.json"),
    JSON.stringify({ name: "empty", version: "1.0.0", private: true }),
  );
  execFileSync("npm", ["install", "--no-audit", "--no-fund", join(work, tarball)], {
    cwd: app,
    env,
    stdio: "pipe",
  });
  nc = await natsConnection();
}, 300_000);
afterAll(async () => {
  killAll();
  await nc.close();
  rmSync(work, { recursive: true, force: true });
});

test("the installed bin answers --help", () => {
  const help = execFileSync(bin, ["--help"], { cwd: app, env, encoding: "utf8" });
  expect(help).toMatch(/^Usage: icnctl/m);
  for (const command of ["publish", "replay", "dlq", "status", "run"])
    expect(help).toMatch(new RegExp(`^  ${command} `, "m"));
});

test("the installed bin runs a function against the local platform and drains on SIGTERM", async () => {
  const config = testConfig();
  const runEnv = { NATS_URL: config.natsUrl, ICN_SUBJECT_PREFIX: config.prefix, ICN_HTTP_PORT: "0" };
  const host = spawnNode(bin, runEnv, ["run", "label-kata-node", "--no-watchers", "-o", "json"]);
  await host.waitFor(/"ready":\{"functions":\["label-kata-node"\]/);
  const consumer = await (await jetstreamManager(nc)).consumers.info(config.eventsStream, "label-kata-node");
  expect(consumer.config.durable_name).toBe("label-kata-node");
  host.child.kill("SIGTERM");
  expect(await host.exited).toBe(0);
});
