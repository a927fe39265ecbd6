// The console's guards, in a real browser against the real platform: no token, no data; the session cookie
// is HttpOnly and SameSite=Strict; an action without the CSRF token is refused; a read-only console shows
// no action and refuses one; the CSP allows no inline script; an event's data never runs as markup.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { get } from "node:http";
import { createInterface } from "node:readline";
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Page } from "playwright-core";
import type { RuntimeConfig } from "../../shared/config.ts";
import { IcnError } from "../../shared/errors.ts";
import { newEvent, publishEvent } from "../../shared/events.ts";
import { defineFunction } from "../../shared/function.ts";
import type { Host } from "../../shared/host/host.ts";
import { natsConnection } from "../harness/servers.ts";
import { startTestHost, testConfig, waitForOutcome } from "../runtime/support.ts";
import { repoRoot } from "../../deploy/local/paths.ts";
import { CLI, cliEnv } from "../cli/support.ts";
import { launchBrowser, loggedIn, startTestConsole, type Browser, type TestConsole } from "./support.ts";

let nc: NatsConnection;
let config: RuntimeConfig;
let host: Host;
let browser: Browser;
let readOnly: TestConsole;
let acting: TestConsole;
let deadLetterId = 0;

const failing = defineFunction({
  name: "always-failing",
  on: "node.joined",
  emits: [],
  handle: () => Promise.reject(new IcnError("KUBE_UNAVAILABLE", "apiserver down")),
});
const dead = newEvent({ name: "node.joined", source: "urn:test:console", data: { node: "doomed" } });
const XSS = `<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">`;

beforeAll(async () => {
  nc = await natsConnection();
  config = testConfig();
  host = await startTestHost(nc, config, [failing]);
  await publishEvent(jetstream(nc), config.prefix, dead);
  await waitForOutcome(host, dead, "always-failing", ["dead-lettered"]);
  readOnly = await startTestConsole(config, { allowActions: false });
  acting = await startTestConsole(config, { allowActions: true });
  browser = await launchBrowser();
  const letters = (await (
    await fetch(`${readOnly.url}api/dead-letters`, { headers: { authorization: `Bearer ${readOnly.token}` } })
  ).json()) as { id: number }[];
  deadLetterId = letters[0]?.id ?? 0;
});
afterAll(async () => {
  await browser?.close();
  await readOnly?.stop();
  await acting?.stop();
  await host?.drain();
  await nc?.close();
});

test("without the token every API answers 401 and the page shows only the login form", async () => {
  for (const path of [
    "api/events",
    "api/live",
    "api/dead-letters",
    "api/tenants",
    "api/functions",
    "api/session",
  ]) {
    const res = await fetch(`${readOnly.url}${path}`);
    expect([path, res.status]).toEqual([path, 401]);
  }
  const wrong = await fetch(`${readOnly.url}api/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token: "guess" }),
  });
  expect(wrong.status).toBe(401);
  const page = await browser.context.newPage();
  await page.goto(readOnly.url);
  await page.locator("form.login").waitFor();
  expect(await page.locator("table").count()).toBe(0);
  await page.close();
});

test("logging in sets an HttpOnly, SameSite=Strict session cookie; the page has a strict CSP and no inline script", async () => {
  const page = await loggedIn(browser, readOnly);
  const cookies = await browser.context.cookies(readOnly.url);
  expect(cookies).toEqual([
    expect.objectContaining({ name: "icn_console", httpOnly: true, sameSite: "Strict" }),
  ]);
  const res = await fetch(readOnly.url);
  expect(res.headers.get("content-security-policy")).toMatch(/default-src 'none'; script-src 'self';/);
  expect(res.headers.get("content-security-policy")).not.toMatch(/unsafe-inline|unsafe-eval/);
  const html = await res.text();
  expect(html.match(/<script\b[^>]*>/g)).toEqual(['<script type="module" src="/static/app.js">']);
  expect(html).not.toMatch(/\son[a-z]+=/i);
  await page.close();
});

const postFrom = (page: Page, path: string, csrf: boolean): Promise<{ status: number; body: string }> =>
  page.evaluate(
    async ({ path, csrf }) => {
      const session = (await (await fetch("/api/session")).json()) as { csrf: string };
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (csrf) headers["x-csrf-token"] = session.csrf;
      const res = await fetch(path, { method: "POST", headers, body: JSON.stringify({ reason: "test" }) });
      return { status: res.status, body: await res.text() };
    },
    { path, csrf },
  );

test("an action without the CSRF token is refused, though the session cookie goes along", async () => {
  const page = await loggedIn(browser, acting);
  const refused = await postFrom(page, `/api/dead-letters/${deadLetterId}/redrive`, false);
  expect(refused).toEqual({ status: 403, body: JSON.stringify({ error: "missing or wrong CSRF token" }) });
  // The same request with the token gets past the check (and then asks for what is missing).
  const withToken = await postFrom(page, "/api/replay", true);
  expect(withToken).toEqual({ status: 400, body: JSON.stringify({ error: "eventId is required" }) });
  // The dead letter is still there: the refused redrive sent nothing.
  const letters = (await page.evaluate(async () => (await fetch("/api/dead-letters")).json())) as {
    id: number;
  }[];
  expect(letters.map((l) => l.id)).toEqual([deadLetterId]);
  await page.close();
});

test("the read-only console shows no action button and refuses an action even with the CSRF token", async () => {
  const page = await loggedIn(browser, readOnly);
  await page.goto(`${readOnly.url}#/dead-letter/${deadLetterId}`);
  await page.getByText("KUBE_UNAVAILABLE: apiserver down").first().waitFor();
  await page.goto(`${readOnly.url}#/event/${dead.id}`);
  await page.locator('[data-function="always-failing"][data-state="dead-lettered"]').waitFor();
  expect(await page.locator("button.action").count()).toBe(0);
  expect(await page.locator("#who").textContent()).toContain("read-only");
  const refused = await postFrom(page, `/api/dead-letters/${deadLetterId}/redrive`, true);
  expect(refused.status).toBe(403);
  expect(refused.body).toContain("read-only");
  await page.close();
});

test("an event whose data holds <script> renders as text in the live table and in its story", async () => {
  const page = await loggedIn(browser, readOnly);
  const hostile = newEvent({
    name: "pod.unsafe",
    source: "urn:test:console",
    data: { namespace: "ns", pod: XSS },
  });
  await publishEvent(jetstream(nc), config.prefix, hostile);
  const row = page.locator(`tr[data-id="${hostile.id}"]`);
  await row.waitFor();
  expect(await row.locator("td.summary").textContent()).toBe(`pod=ns/${XSS}`);
  expect(await page.locator("#live-rows script, #live-rows img").count()).toBe(0);
  await row.getByRole("link", { name: hostile.id }).click();
  await page.locator("#event-data").waitFor();
  expect(await page.locator("#event-data").textContent()).toContain(XSS.replace(/"/g, '\\"'));
  expect(await page.locator("#story script, #story img, main script").count()).toBe(0);
  expect(await page.evaluate(() => (globalThis as { __xss?: number }).__xss)).toBeUndefined();
  await page.close();
});

test("icnctl console --port 0 prints its URL and login link, serves on 127.0.0.1 only, and stops on SIGTERM", async () => {
  const child = spawn(process.execPath, [CLI, "console", "--port", "0"], {
    cwd: repoRoot,
    env: { ...process.env, ...cliEnv(config, { ICN_CONSOLE_TOKEN: "runbook-token-0123456789" }) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const first = String((await lines.next()).value);
    const second = String((await lines.next()).value);
    expect(first).toMatch(
      /^console: http:\/\/127\.0\.0\.1:\d+\/ \(read-only; --allow-actions to redrive and replay\)$/,
    );
    const url = first.split(" ")[1] ?? "";
    expect(second).toBe(`login: ${url}#token=runbook-token-0123456789`);
    expect((await fetch(`${url}api/dead-letters`)).status).toBe(401);
    const authorized = await fetch(`${url}api/dead-letters`, {
      headers: { authorization: "Bearer runbook-token-0123456789" },
    });
    expect(((await authorized.json()) as { id: number }[]).map((d) => d.id)).toEqual([deadLetterId]);
    // A page elsewhere that points its own name at 127.0.0.1 (DNS rebinding) is not answered.
    const rebound = await new Promise<number | undefined>((resolve, reject) =>
      get(url, { headers: { host: "attacker.example" } }, (res) => resolve(res.resume().statusCode)).on(
        "error",
        reject,
      ),
    );
    expect(rebound).toBe(421);
  } finally {
    child.kill("SIGTERM");
    if (child.exitCode === null) await once(child, "exit");
  }
  expect(child.exitCode).toBe(0);
});
