// One event's story: the event, what each function did with it, the results it caused (by causeid,
// recursively): the answer of `icnctl status <id>`, with the events themselves.
import type { Session } from "../cli/context.ts";
import { fromStoredMsg, readStored, type Stored } from "../cli/stored.ts";
import type { Outcome } from "../shared/host/outcomes.ts";
import { rowOf, subjectsOf, type EventRow } from "./rows.ts";

export interface StoryNode {
  event: EventRow;
  outcomes: Outcome[];
  results: StoryNode[];
}

export interface Story {
  root: StoryNode;
  /** Result ids an outcome names that the stream no longer (or not yet) holds. */
  missing: string[];
  /** The scan for results stopped at its limit. */
  truncated: boolean;
}

const MAX_SCANNED = 50_000;

async function storedAt(session: Session, seq: number): Promise<Stored | undefined> {
  const msg = await session.jsm.streams.getMessage(session.config.eventsStream, { seq }).catch(() => null);
  return msg ? fromStoredMsg(msg) : undefined;
}

/** The stored event with this id: at the sequence the browser knows, else the first one with the id. */
async function findEvent(session: Session, id: string, seq?: number): Promise<EventRow | undefined> {
  if (seq) {
    const msg = await storedAt(session, seq);
    const row = msg && rowOf(msg);
    if (row?.id === id) return row;
  }
  const { js, jsm, config } = session;
  let scanned = 0;
  for await (const msg of readStored(js, jsm, config.eventsStream, {
    filter: subjectsOf(config.prefix, {}),
  })) {
    const row = rowOf(msg);
    if (row.id === id) return row;
    if (++scanned >= MAX_SCANNED) return undefined;
  }
  return undefined;
}

async function nodeOf(session: Session, event: EventRow): Promise<StoryNode> {
  const outcomes = event.id ? await (await session.outcomes()).forEventId(event.id) : [];
  outcomes.sort((a, b) => a.function.localeCompare(b.function));
  return { event, outcomes, results: [] };
}

const expected = (node: StoryNode): string[] => node.outcomes.flatMap((o) => o.results);

/**
 * Results come after their cause, so one forward read from the root finds the whole tree; it stops
 * once every result an outcome names is found (or at the end of what is stored).
 */
async function addResults(
  session: Session,
  root: StoryNode,
): Promise<{ missing: string[]; truncated: boolean }> {
  const { js, jsm, config } = session;
  const nodes = new Map([[root.event.id ?? "", root]]);
  const wanted = new Set(expected(root));
  let scanned = 0;
  if (wanted.size === 0) return { missing: [], truncated: false };
  for await (const msg of readStored(js, jsm, config.eventsStream, {
    filter: subjectsOf(config.prefix, {}),
    startSeq: root.event.seq + 1,
  })) {
    if (++scanned > MAX_SCANNED) return { missing: [...wanted], truncated: true };
    const row = rowOf(msg);
    const parent = row.causeid ? nodes.get(row.causeid) : undefined;
    if (!parent || !row.id || nodes.has(row.id)) continue;
    const node = await nodeOf(session, row);
    parent.results.push(node);
    nodes.set(row.id, node);
    wanted.delete(row.id);
    for (const id of expected(node)) if (!nodes.has(id)) wanted.add(id);
    if (wanted.size === 0) break;
  }
  return { missing: [...wanted], truncated: false };
}

export async function storyOf(session: Session, id: string, seq?: number): Promise<Story | undefined> {
  const event = await findEvent(session, id, seq);
  if (!event) return undefined;
  const root = await nodeOf(session, event);
  return { root, ...(await addResults(session, root)) };
}

/** Every event of the story, root first. */
export function eventsOf(node: StoryNode): EventRow[] {
  return [node.event, ...node.results.flatMap(eventsOf)];
}
