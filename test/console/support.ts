// The console under test: started in-process on a test's own prefix, and Debian's Chromium driven by
// playwright-core (nothing downloads a browser). A missing Chromium fails with the command that installs it.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { openSession, type Session } from "../../cli/context.ts";
import type { RuntimeConfig } from "../../shared/config.ts";
import { kubeFromConfig } from "../../shared/kube.ts";
import { startConsole, type RunningConsole } from "../../console/server.ts";
import { repoRoot } from "../../deploy/local/paths.ts";
import { kubeConfig } from "../harness/servers.ts";

export const CHROMIUM = "/usr/bin/chromium";
// make test keeps its screenshots out of the clone's tracked files; make screenshots writes the README's.
export const SCREENSHOTS = process.env.ICN_SCREENSHOTS_DIR ?? join(repoRoot, ".icn", "screenshots");

/** The flags this kind of machine needs: no sandbox as root, and no calls home that its network refuses. */
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A fresh profile each time, so no cookie or cache of an earlier run leaks into a test. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: run "apt-get update && apt-get install -y chromium" as root (make test does it when it can), then run the tests again`,
    );
  const profile = mkdtempSync(join(tmpdir(), "icn-console-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface TestConsole extends RunningConsole {
  session: Session;
  stop(): Promise<void>;
}

export const TEST_TOKEN = "console-test-token-0123456789";

export async function startTestConsole(
  config: RuntimeConfig,
  options: { allowActions: boolean; operator?: string },
): Promise<TestConsole> {
  const session = await openSession({ NATS_URL: config.natsUrl, ICN_SUBJECT_PREFIX: config.prefix });
  const running = await startConsole({
    session,
    kube: kubeFromConfig(kubeConfig()),
    token: TEST_TOKEN,
    host: "127.0.0.1",
    port: 0,
    allowActions: options.allowActions,
    operator: options.operator ?? "console-operator",
  });
  return {
    ...running,
    session,
    stop: async () => {
      await running.close();
      await session.close();
    },
  };
}

/** Opens the console logged in through the link `icnctl console` prints, on the live table. */
export async function loggedIn(browser: Browser, console: RunningConsole): Promise<Page> {
  const page = await browser.context.newPage();
  await page.goto(`${console.url}#token=${console.token}`);
  // Live means the event stream is open: an event published before that is in neither the first page nor the stream.
  await page
    .locator("#live-state")
    .filter({ hasText: /^live$/ })
    .waitFor();
  return page;
}
