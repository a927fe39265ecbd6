// Structured JSON logs (pino); every event gets a child logger carrying its id.
import { pino, type Logger } from "pino";
import { envString } from "./env.ts";

export type { Logger };

export function createLogger(
  name: string,
  level: string = envString(process.env, "ICN_LOG_LEVEL", "info"),
): Logger {
  return pino({ name, level, base: { service: name } });
}
