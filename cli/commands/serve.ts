// `icnctl ingress` and `icnctl notify`: the HTTP ingress and the webhook notifier in the foreground.
import { Command } from "commander";
import type { CliDeps } from "../context.ts";

/** Each runs its own process entry, configured from the environment (.icn/env included). */
function serve(deps: CliDeps, entry: () => Promise<unknown>): () => Promise<void> {
  return async () => {
    for (const [key, value] of Object.entries(deps.env)) process.env[key] ??= value;
    await entry();
    await new Promise<never>(() => undefined); // the entry exits the process once drained
  };
}

export function ingressCommand(deps: CliDeps): Command {
  return new Command("ingress")
    .description(
      "run the HTTP ingress for ticketing systems (ICN_INGRESS_SOURCES, ICN_INGRESS_PORT; see docs/INTEGRATIONS.md)",
    )
    .action(serve(deps, () => import("../../shared/ingress/main.ts")));
}

export function notifyCommand(deps: CliDeps): Command {
  return new Command("notify")
    .description("deliver result events to the webhooks in ICN_WEBHOOKS, signed (see docs/INTEGRATIONS.md)")
    .action(serve(deps, () => import("../../shared/sinks/webhooks/main.ts")));
}
