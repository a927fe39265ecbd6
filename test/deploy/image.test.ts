// The image's build, without Docker: tsc emits what the Dockerfile copies, and the Deployments' commands run from it.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { V1Deployment } from "@kubernetes/client-node";
import { FUNCTION_NAMES } from "../../functions/index.ts";
import { freePort } from "../../deploy/local/processes.ts";
import { repoRoot } from "../../deploy/local/paths.ts";
import { imageEntrypoint, imageNodeFlags } from "../harness/image.ts";
import { killAll, spawnNode } from "../harness/processes.ts";
import { uniqueName } from "../harness/servers.ts";
import { BASE, build, ofKind } from "./manifests.ts";

const dockerfile = readFileSync(join(repoRoot, "Dockerfile"), "utf8");
const buildConfig = JSON.parse(readFileSync(join(repoRoot, "tsconfig.build.json"), "utf8")) as {
  include: string[];
};
// Laid out as the runtime stage is: compiled JavaScript, package.json, the dependencies.
const app = mkdtempSync(join(tmpdir(), "icn-image-"));

beforeAll(() => {
  const tsc = join(repoRoot, "node_modules/.bin/tsc");
  try {
    execFileSync(tsc, ["-p", join(repoRoot, "tsconfig.build.json"), "--outDir", app], { stdio: "pipe" });
  } catch {
    // Type errors are `make typecheck`'s to report; tsc still emits, and what it emits is under test here.
  }
  copyFileSync(join(repoRoot, "package.json"), join(app, "package.json"));
  symlinkSync(join(repoRoot, "node_modules"), join(app, "node_modules"));
}, 120_000);
afterAll(() => {
  killAll();
  rmSync(app, { recursive: true, force: true });
});

test("the builder copies every folder the build compiles", () => {
  const copied = [...dockerfile.matchAll(/^COPY (\S+) \1$/gm)].map((m) => m[1]);
  expect(copied.sort()).toEqual([...buildConfig.include].sort());
});

test("the runtime stage has production dependencies only and runs as non-root", () => {
  expect(dockerfile).toMatch(/npm ci --omit=dev/);
  expect(dockerfile).toMatch(/^USER 10001:10001$/m);
  expect(imageEntrypoint()[0]).toBe("node");
  expect(imageEntrypoint().at(-1)).toBe("cli/icnctl.js");
});

/** The container's command, as the image runs it: the ENTRYPOINT unless the Deployment replaces it. */
function commandOf(d: V1Deployment): { script: string; args: string[] } {
  const container = d.spec?.template.spec?.containers[0] ?? { name: "none" };
  const [program = "", script = ""] = container.command ?? ["node", "cli/icnctl.js"];
  expect(program).toBe("node");
  return { script, args: container.args ?? [] };
}

test("every Deployment's command exists in the image", () => {
  for (const d of ofKind<V1Deployment>(build(BASE), "Deployment")) {
    const { script, args } = commandOf(d);
    expect(existsSync(join(app, script))).toBe(true);
    const [command, fn] = args;
    if (command === "run" && fn === "--watchers-only") {
      const help = execFileSync(process.execPath, [join(app, script), "run", "--help"], { encoding: "utf8" });
      expect(help).toContain("--watchers-only");
    } else if (command === "run") expect(FUNCTION_NAMES).toContain(fn);
    else if (command) {
      const help = execFileSync(process.execPath, [join(app, script), command, "--help"], {
        encoding: "utf8",
      });
      expect(help).toContain(`icnctl ${command}`);
    }
  }
});

test("`icnctl --help` runs from the compiled image layout", () => {
  const help = execFileSync(process.execPath, [join(app, "cli/icnctl.js"), "--help"], { encoding: "utf8" });
  expect(help).toMatch(/Usage: icnctl/);
});

test("`icnctl run <function> --no-watchers`, as a function's Deployment runs it, serves its probes", async () => {
  const port = await freePort();
  const env = {
    ICN_HTTP_HOST: "127.0.0.1",
    ICN_HTTP_PORT: String(port),
    ICN_SUBJECT_PREFIX: uniqueName("img").replace(/-/g, ""),
  };
  // With the image's node flags: node refuses to start on one it does not know.
  const host = spawnNode(
    join(app, "cli/icnctl.js"),
    env,
    ["run", "label-kata-node", "--no-watchers"],
    imageNodeFlags(),
  );
  await host.waitFor(/running label-kata-node/);
  for (const path of ["/healthz", "/readyz"])
    expect((await fetch(`http://127.0.0.1:${port}${path}`)).status).toBe(200);
  host.child.kill("SIGTERM");
  expect(await host.exited).toBe(0);
});
