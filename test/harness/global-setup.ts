// Starts the embedded platform once per test run, or reuses the one `make up` left running.
import { down, status, up } from "../../deploy/local/platform.ts";
import { installKataRuntimeClasses } from "./kata-deploy.ts";

export default async function globalSetup(): Promise<void> {
  const wasRunning = status().servers.some((s) => s.running);
  try {
    const platform = await up((m) => process.stderr.write(`[platform] ${m}\n`));
    process.env.KUBECONFIG = platform.kubeconfig;
    process.env.NATS_URL = platform.natsUrl;
    process.env.ICN_TEST_STARTED_PLATFORM = wasRunning ? "" : "1";
    await installKataRuntimeClasses(platform.kubeconfig);
  } catch (err) {
    if (!wasRunning) await down();
    throw new Error(`the embedded platform did not start, so no integration test can run: ${String(err)}`);
  }
}
