// Stops the platform only if this test run started it (a developer's `make up` stays up).
import { down } from "../../deploy/local/platform.ts";

export default async function globalTeardown(): Promise<void> {
  if (process.env.ICN_TEST_STARTED_PLATFORM === "1") await down();
}
