// A private nats-server configured with the checked-in generated users (deploy/nats/users.conf), connections as each, the provisioner's setup.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { freePort } from "../../deploy/local/processes.ts";
import { repoRoot } from "../../deploy/local/paths.ts";
import { platformUsers, USERS_CONF } from "../../deploy/nats/generate.ts";
import { inboxPrefix, PROVISIONER } from "../../deploy/nats/permissions.ts";
import type { RuntimeConfig } from "../../shared/config.ts";
import type { AnyFunction } from "../../shared/function.ts";
import { provisionBus, type Provisioned } from "../../shared/host/provision-bus.ts";

export interface PrivateNats {
  url: string;
  /** Connects as a generated user, with its password and its own inbox prefix (as the Deployments do). */
  connectAs(user: string, options?: { password?: string; inbox?: string }): Promise<NatsConnection>;
  /** A generated user's test password, for a child process that connects as it. */
  passwordOf(user: string): string;
  stop(): Promise<void>;
}

function waitForReady(child: ChildProcess, output: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (output().includes("Server is ready")) resolve();
    };
    child.stdout?.on("data", check);
    child.stderr?.on("data", check);
    child.once("exit", (code) =>
      reject(new Error(`nats-server exited (${code}):\n${output().slice(-2000)}`)),
    );
  });
}

/** Starts nats-server on a free loopback port; every generated user gets a fresh test password. */
export async function startPrivateNats(): Promise<PrivateNats> {
  const bin = execFileSync("bash", [join(repoRoot, "deploy/local/build.sh"), "nats-server"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
  const dir = mkdtempSync(join(tmpdir(), "icn-nats-users-"));
  copyFileSync(USERS_CONF, join(dir, "users.conf"));
  const port = await freePort();
  const conf = join(dir, "server.conf");
  writeFileSync(
    conf,
    `listen: "127.0.0.1:${port}"\njetstream { store_dir: "${join(dir, "js")}" }\ninclude users.conf\n`,
  );
  const passwords = new Map(
    platformUsers().map((u) => [u.user, `test-${u.user}-${Math.random().toString(36).slice(2)}`]),
  );
  const env = Object.fromEntries(
    platformUsers().map((u) => [u.passwordVariable, passwords.get(u.user) ?? ""]),
  );
  const child = spawn(bin, ["-c", conf], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  await waitForReady(child, () => output);
  const url = `nats://127.0.0.1:${port}`;
  return {
    url,
    connectAs: (user, options = {}) =>
      connect({
        servers: url,
        user,
        pass: options.password ?? passwords.get(user),
        inboxPrefix: options.inbox ?? inboxPrefix(user),
        timeout: 5000,
        maxReconnectAttempts: 0,
      }),
    passwordOf: (user) => passwords.get(user) ?? "",
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Records the permission violations the server reports on a connection, to wait for one by subject. */
export function violations(
  nc: NatsConnection,
): (operation: "publish" | "subscription", subject: string) => Promise<void> {
  const seen: string[] = [];
  const waiters = new Set<() => void>();
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type !== "error") continue;
      const err = status.error as { name?: string; operation?: string; subject?: string };
      if (err.name !== "PermissionViolationError") continue;
      seen.push(`${err.operation} ${err.subject}`);
      for (const wake of waiters) wake();
    }
  })();
  return (operation, subject) =>
    new Promise((resolve) => {
      const check = (): void => {
        if (!seen.includes(`${operation} ${subject}`)) return;
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
      check();
    });
}

/** Sets the bus up as the deploy's icn-provision Job does: as the provisioner, for `functions`. */
export async function provisionAsProvisioner(
  server: PrivateNats,
  config: RuntimeConfig,
  functions: readonly AnyFunction[],
): Promise<Provisioned[]> {
  const nc = await server.connectAs(PROVISIONER);
  try {
    return await provisionBus(nc, { ...config, provisioning: "create" }, functions);
  } finally {
    await nc.close();
  }
}
