import type { KubernetesObject } from "@kubernetes/client-node";
import { listWatch, type ListWatchSpec, type WatchPhase } from "./list-watch.ts";

type Query = Record<string, string | number | boolean | undefined>;
interface Call {
  query: Query;
  send: (type: string, obj: unknown) => void;
  end: (err: unknown) => void;
  aborted: () => boolean;
}

/** A Watch whose requests the test drives by hand. */
class FakeWatch {
  readonly calls: Call[] = [];

  watch(
    _path: string,
    query: Query,
    callback: (phase: string, obj: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    const controller = new AbortController();
    let ended = false;
    const end = (err: unknown): void => {
      if (ended) return;
      ended = true;
      done(err);
    };
    controller.signal.addEventListener("abort", () =>
      end(Object.assign(new Error("aborted"), { name: "AbortError" })),
    );
    this.calls.push({ query, send: callback, end, aborted: () => controller.signal.aborted });
    return Promise.resolve(controller);
  }

  async call(n: number): Promise<Call> {
    for (let i = 0; i < 1000 && !this.calls[n]; i++) await new Promise((r) => setImmediate(r));
    const call = this.calls[n];
    if (!call) throw new Error(`watch request #${n} never came`);
    return call;
  }
}

const obj = (name: string, resourceVersion: string): KubernetesObject => ({
  metadata: { name, resourceVersion },
});

function setup(lists: KubernetesObject[][]): {
  watch: FakeWatch;
  seen: string[];
  lists: number;
  errors: unknown[];
  stop: AbortController;
  spec: ListWatchSpec<KubernetesObject>;
} {
  const watch = new FakeWatch();
  const stop = new AbortController();
  const state = {
    watch,
    seen: [] as string[],
    lists: 0,
    errors: [] as unknown[],
    stop,
    spec: {} as ListWatchSpec<KubernetesObject>,
  };
  state.spec = {
    path: "/api/v1/nodes",
    labelSelector: "!icn.akraino.org/kata",
    list: () =>
      Promise.resolve({
        items: lists[state.lists++] ?? [],
        metadata: { resourceVersion: `list-${state.lists}` },
      }),
    watch,
    onEvent: (phase: WatchPhase, o: KubernetesObject) => state.seen.push(`${phase} ${o.metadata?.name}`),
    onError: (err) => state.errors.push(err),
    signal: stop.signal,
    backoffMs: () => 0,
    minWatchMs: 0,
  };
  return state;
}

test("lists, then watches from the list's resourceVersion with the selector", async () => {
  const s = setup([[obj("a", "1"), obj("b", "2")]]);
  const handle = listWatch(s.spec);
  await handle.synced;
  const first = await s.watch.call(0);
  expect(first.query).toMatchObject({
    resourceVersion: "list-1",
    labelSelector: "!icn.akraino.org/kata",
    allowWatchBookmarks: true,
  });
  first.send("ADDED", obj("c", "3"));
  first.send("MODIFIED", obj("a", "4"));
  first.send("DELETED", obj("b", "5"));
  expect(s.seen).toEqual(["ADDED a", "ADDED b", "ADDED c", "MODIFIED a", "DELETED b"]);
  s.stop.abort();
  await handle.done;
  expect(first.aborted()).toBe(true);
});

test("a watch that ends resumes from the last resourceVersion seen, bookmarks included, without relisting", async () => {
  const s = setup([[]]);
  const handle = listWatch(s.spec);
  const first = await s.watch.call(0);
  first.send("ADDED", obj("a", "7"));
  first.send("BOOKMARK", obj("", "9"));
  first.end(null);
  expect((await s.watch.call(1)).query.resourceVersion).toBe("9");
  expect(s.lists).toBe(1);
  expect(s.seen).toEqual(["ADDED a"]);
  s.stop.abort();
  await handle.done;
});

test("410 Gone relists; what follows it on the same watch is ignored", async () => {
  const s = setup([[obj("a", "1")], [obj("a", "1"), obj("b", "8")]]);
  const handle = listWatch(s.spec);
  const first = await s.watch.call(0);
  first.send("ERROR", { code: 410, message: "too old resource version" });
  first.send("ADDED", obj("stale", "3"));
  first.end(null);
  expect((await s.watch.call(1)).query.resourceVersion).toBe("list-2");
  expect(s.seen).toEqual(["ADDED a", "ADDED a", "ADDED b"]);
  s.stop.abort();
  await handle.done;
});

test("an error is reported and the watch resumes where it was; the client's quiet timeout is not an error", async () => {
  const s = setup([[]]);
  const handle = listWatch(s.spec);
  const first = await s.watch.call(0);
  first.send("ADDED", obj("a", "4"));
  first.end(Object.assign(new Error("Service Unavailable"), { statusCode: 503 }));
  const second = await s.watch.call(1);
  expect(second.query.resourceVersion).toBe("4");
  second.end(Object.assign(new Error("timeout"), { name: "TimeoutError" }));
  await s.watch.call(2);
  expect(s.errors).toHaveLength(1);
  expect(s.lists).toBe(1);
  s.stop.abort();
  await handle.done;
});

test("a failing list is retried until it succeeds", async () => {
  const s = setup([]);
  let failures = 2;
  const list = s.spec.list;
  s.spec.list = () => (failures-- > 0 ? Promise.reject(new Error("connection refused")) : list());
  const handle = listWatch(s.spec);
  await handle.synced;
  expect(s.errors).toHaveLength(2);
  s.stop.abort();
  await handle.done;
});
