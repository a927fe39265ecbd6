// The functions page: each function's backlog and failures (what `icnctl status` prints), how many
// events it handled per minute over the last hour, and the nodes with their Kata labels and readiness.
import type { V1Node } from "@kubernetes/client-node";
import { KATA_LABEL, KATA_RUNTIME_LABEL } from "../schemas/names.ts";
import type { Kube } from "../shared/kube.ts";
import { functionConsumers, handles, type FunctionConsumer } from "../cli/consumers.ts";
import type { Session } from "../cli/context.ts";
import { statusesOf, type FunctionStatus } from "../cli/commands/status.ts";
import { readStored } from "../cli/stored.ts";

export interface FunctionView extends FunctionStatus {
  /** Events acknowledged per minute, oldest minute first, over the last hour. */
  perMinute: number[];
}

export interface NodeView {
  node: string;
  kata: string;
  kataRuntime: string;
  ready: boolean;
}

const MINUTES = 60;
const MAX_SCANNED = 50_000;

/** Acknowledged = at or below the consumer's ack floor: handled, whichever way it ended. */
async function perMinute(session: Session, consumers: FunctionConsumer[]): Promise<Map<string, number[]>> {
  const counts = new Map(consumers.map((c) => [c.name, new Array<number>(MINUTES).fill(0)]));
  const since = new Date(Date.now() - MINUTES * 60_000);
  const filter = [...new Set(consumers.flatMap((c) => c.filters))];
  if (consumers.length === 0) return counts;
  const { js, jsm, config } = session;
  let scanned = 0;
  for await (const msg of readStored(js, jsm, config.eventsStream, { filter, startTime: since })) {
    if (++scanned > MAX_SCANNED) break;
    const minute = Math.min(MINUTES - 1, Math.floor((msg.time.getTime() - since.getTime()) / 60_000));
    for (const c of consumers)
      if (msg.seq <= c.info.ack_floor.stream_seq && handles(c, msg.subject)) counts.get(c.name)![minute]!++;
  }
  return counts;
}

async function functionViews(session: Session): Promise<FunctionView[]> {
  const consumers = await functionConsumers(session.jsm, session.config.eventsStream).catch(() => []);
  const [statuses, handled] = await Promise.all([
    statusesOf(session, consumers),
    perMinute(session, consumers),
  ]);
  return statuses.map((status) => ({
    ...status,
    perMinute: handled.get(status.function) ?? new Array<number>(MINUTES).fill(0),
  }));
}

const nodeView = (n: V1Node): NodeView => ({
  node: n.metadata?.name ?? "",
  kata: n.metadata?.labels?.[KATA_LABEL] ?? "",
  kataRuntime: n.metadata?.labels?.[KATA_RUNTIME_LABEL] ?? "",
  ready: n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false,
});

export async function functionsOverview(
  session: Session,
  kube: Kube,
): Promise<{ functions: FunctionView[]; nodes: NodeView[] | { error: string } }> {
  const nodes = await kube.core
    .listNode()
    .then((list) => list.items.map(nodeView))
    .catch((err: unknown) => ({ error: `the apiserver did not answer: ${String(err)}` }));
  return { functions: await functionViews(session), nodes };
}
