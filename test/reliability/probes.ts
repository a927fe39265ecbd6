// Security probes: attempts the bus or the ingress must refuse or allow, recorded and written as figures.
import { secondsSince, writeFigures } from "./figures.ts";

export interface Probe {
  what: string;
  expected: "refused" | "allowed";
  refused: boolean;
  detail: string;
}

export class ProbeLog {
  readonly probes: Probe[] = [];
  readonly #started = Date.now();

  /**
   * Runs an attempt and records whether the server refused it for lack of rights; any other failure
   * (a timeout, a missing stream) counts as not refused, so a broken setup cannot pass for security.
   */
  async probe(what: string, expected: Probe["expected"], attempt: () => Promise<unknown>): Promise<Probe> {
    let result: Probe;
    try {
      await attempt();
      result = { what, expected, refused: false, detail: "allowed" };
    } catch (err) {
      const detail = String(err).slice(0, 200);
      result = { what, expected, refused: /(Permissions|Authorization) Violation/.test(detail), detail };
    }
    this.probes.push(result);
    return result;
  }

  /** An HTTP answer: anything but 2xx counts as refused. */
  http(what: string, status: number, expected: number): Probe {
    const expectation = expected < 300 ? "allowed" : "refused";
    const result = { what, expected: expectation, refused: status >= 300, detail: `HTTP ${status}` } as const;
    this.probes.push(result);
    return result;
  }

  save(): void {
    const ok = this.probes.filter((p) => (p.expected === "refused") === p.refused);
    const unexpected = this.probes.filter((p) => !ok.includes(p));
    writeFigures({
      suite: "bus-security",
      title: "Bus security (users generated from the function definitions; ingress auth)",
      test: "test/reliability/bus-security.test.ts",
      summary: {
        events: this.probes.length,
        durationSeconds: secondsSince(this.#started),
        lost: null,
        duplicates: null,
        deadLettered: null,
      },
      details: {
        probes: this.probes.length,
        refusedAsExpected: ok.filter((p) => p.refused).length,
        allowedAsExpected: ok.filter((p) => !p.refused).length,
        unexpected: unexpected.length,
        ...Object.fromEntries(unexpected.map((p) => [`UNEXPECTED ${p.what}`, p.detail])),
      },
    });
  }
}
