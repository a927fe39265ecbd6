// The security section of RELIABILITY.md: the attack tests under test/security/, counted by threat (A–N) from jest's results.
import { existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { repoRoot } from "../../deploy/local/paths.ts";

/** Where `make reliability` asks jest to write the attack suite's results. */
export const SECURITY_RESULTS = ".icn/reliability-security/results.json";

interface JestResults {
  startTime: number;
  testResults: { name: string; assertionResults: { status: string }[] }[];
}

const THREATS = "ABCDEFGHIJKLMN".split("");

function tally(results: JestResults): Map<string, { files: Set<string>; passed: number; failed: number }> {
  const byThreat = new Map(THREATS.map((t) => [t, { files: new Set<string>(), passed: 0, failed: 0 }]));
  for (const file of results.testResults) {
    const entry = byThreat.get(basename(file.name).charAt(0).toUpperCase());
    if (!entry) continue;
    entry.files.add(basename(file.name));
    for (const a of file.assertionResults) entry[a.status === "passed" ? "passed" : "failed"] += 1;
  }
  return byThreat;
}

export function securitySection(root: string = repoRoot): string[] {
  const head = [
    "## Security: the isolation breaks A–N",
    "",
    'Each threat of docs/SECURITY.md\'s table "Isolation breaks (A–N)" has attack tests under `test/security/` that',
    "perform the attack against the real servers and pass only when it fails. `make reliability` runs them and counts",
    "them here (they also run in `make test`).",
    "",
  ];
  const path = join(root, SECURITY_RESULTS);
  if (!existsSync(path)) return [...head, "_Not run: no results in " + SECURITY_RESULTS + "._", ""];
  const results = JSON.parse(readFileSync(path, "utf8")) as JestResults;
  const rows = [...tally(results)].map(
    ([threat, t]) => `| ${threat} | ${[...t.files].join(", ") || "none"} | ${t.passed} | ${t.failed} |`,
  );
  const covered = [...tally(results).values()].filter((t) => t.passed > 0 && t.failed === 0).length;
  return [
    ...head,
    `Ran ${new Date(results.startTime).toISOString()}: ${covered} of ${THREATS.length} threats have attack tests, all passing.`,
    "",
    "| threat | attack tests | passed | failed |",
    "| --- | --- | --- | --- |",
    ...rows,
    "",
  ];
}
