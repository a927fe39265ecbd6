// Renders docs/RELIABILITY.md from the figures the reliability suites wrote to .icn/reliability/*.json (run by `make reliability`).
import { writeFileSync } from "node:fs";
import { format, resolveConfig } from "prettier";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../../deploy/local/paths.ts";
import { readAllFigures, type SuiteFigures } from "./figures.ts";
import { securitySection } from "./security-report.ts";

/** The scenarios in the order the issue lists them, and what each one proves (words only, no figures). */
const SCENARIOS = [
  [
    "nats-node-loss",
    "A three-node nats-server cluster on loopback with R3 streams; the real functions (provision-tenant, quarantine-runc-pod) run in a host connected to all three servers. Half the events are published, the events stream's leader is SIGKILLed (after the outcome bucket's and every consumer's leadership were moved to it, so everything loses its leader at once), and the rest are published during the failover. Passes when every event has a final outcome and the cluster shows each side effect exactly once: one namespace per tenant, one Quarantined Event per pod, one result event per settled event, one outcome record per event.",
  ],
  [
    "apiserver-outage",
    "A kube platform of the suite's own (etcd, kube-apiserver, kube-controller-manager) whose kube-apiserver is stopped during processing and started again with the same flags. The host uses the shipped retry schedule (`DEFAULT_RETRY` in shared/config.ts). Passes when handlers felt the outage (retries > 0), nothing was dead-lettered, and every event completed with its side effects once.",
  ],
  [
    "host-crash",
    "A host process running the real functions is SIGKILLed again and again while events keep arriving, and restarted each time. Passes when every event has a final outcome, none was dead-lettered, and no side effect is missing or doubled.",
  ],
  [
    "bus-security",
    "A nats-server whose only users are the ones `deploy/nats/permissions.ts` derives from the function definitions, and the HTTP ingress connected as its own user. Each probe is an attempt the bus or the ingress must refuse (anonymous or wrong credentials, a function publishing an input event, reading another function's consumer, events or outcomes, unauthenticated or cross-source HTTP requests) or allow (a function's own results and consumer, a source's own event). Passes when every probe went the expected way.",
  ],
  [
    "hostile-input",
    "fast-check cases against the NATS binding decoder plus the schemas, every event schema, and the ingress (raw HTTP, header injection included): oversized and deeply nested payloads, wrong types, invalid UTF-8, CR/LF in header values, reserved and look-alike tenant names, 64-character labels. Each case must be accepted or refused with a typed reason, never crash and never take long. Then a host process is fed hostile messages: its heap after a full GC must stay flat and it must still quarantine real pods afterwards. Dead-lettered here counts the hostile messages the host moved to the dead-letter stream, as it should; lost counts good events sent afterwards that did not succeed.",
  ],
  [
    "event-storm",
    "`pod.unsafe` reports published within 10 s for a handful of pods, quarantine in `evict` mode with the shipped rate limit (30 destructive actions per minute, burst 5). Passes when each pod is quarantined exactly once (one claim and one Kubernetes Event, and labelled or evicted), every eviction had a token and the evictions stay within the token bucket, and the apiserver requests (counted at the client) stay within the stated budget: 4 per report (read pod, read namespace, apply policy, and the label or the claim) plus 4 per retried delivery, plus 3 per pod (one more, an eviction, an Event), plus one claims sweep.",
  ],
] as const;

const cell = (value: number | string | null | undefined): string =>
  value === null || value === undefined ? "—" : String(value);

function summaryRow(suite: string, f: SuiteFigures | undefined): string {
  if (!f) return `| ${suite} | not run | | | | | | |`;
  const s = f.summary;
  const test = `[${f.test.split("/").pop()}](../${f.test})`;
  return `| ${f.title} | ${f.size} | ${s.events} | ${s.durationSeconds} | ${cell(s.lost)} | ${cell(s.duplicates)} | ${cell(s.deadLettered)} | ${test} |`;
}

function section(suite: string, about: string, f: SuiteFigures | undefined): string[] {
  if (!f) return [`## ${suite}`, "", about, "", "_Not run: no figures in .icn/reliability._", ""];
  const rows = Object.entries(f.details).map(([name, value]) => `| ${name} | ${cell(value)} |`);
  return [
    `## ${f.title}`,
    "",
    about,
    "",
    `Size: ${f.size}; ran ${f.ranAt}; test: \`${f.test}\`.`,
    "",
    "| figure | value |",
    "| --- | --- |",
    ...rows,
    "",
  ];
}

export function renderReport(figures: readonly SuiteFigures[]): string {
  const bySuite = new Map(figures.map((f) => [f.suite, f]));
  const cores = cpus();
  return [
    "# Reliability",
    "",
    "<!-- GENERATED by `make reliability` (test/reliability/report.ts) from .icn/reliability/*.json: do not edit by hand. -->",
    "",
    "Figures measured by the reliability suites under `test/reliability/` against real servers (the embedded",
    "platform: nats-server, etcd, kube-apiserver). `make reliability` runs them at full size and regenerates",
    "this page; `make test` runs the short sizes. Nobody types these numbers: each suite writes what it measured",
    "before it asserts. Lost = an event with no final outcome, or settled without its result or its Kubernetes",
    "object; duplicates = a side effect seen more than once; — = does not apply to the scenario.",
    "",
    `Machine: ${cores.length} × ${cores[0]?.model.trim() ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node.js ${process.version}.`,
    "",
    "| scenario | size | events / cases | duration (s) | lost | duplicates | dead-lettered | test |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ...SCENARIOS.map(([suite]) => summaryRow(suite, bySuite.get(suite))),
    "",
    ...SCENARIOS.flatMap(([suite, about]) => section(suite, about, bySuite.get(suite))),
    ...securitySection(),
  ].join("\n");
}

if (import.meta.main) {
  const out = join(repoRoot, "docs/RELIABILITY.md");
  // Formatted as the repository formats Markdown, so `make lint` accepts the generated page.
  const text = await format(renderReport(readAllFigures()), {
    ...(await resolveConfig(out)),
    parser: "markdown",
  });
  writeFileSync(out, text);
  console.log(`wrote ${out}`);
}
