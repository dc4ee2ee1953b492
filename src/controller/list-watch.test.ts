import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { ObjectList } from './controller-api.js';
import type { Query, WatchEvent } from './kube-rest.js';
import { ListWatch } from './list-watch.js';
import type { Keyed, ListWatchSource, WatchEventType } from './list-watch.js';

interface Item extends Keyed { readonly metadata: { readonly name: string; readonly namespace: string; readonly resourceVersion: string }; readonly data?: string; readonly junk?: string }
const item = (namespace: string, name: string, resourceVersion: string, data = ''): Item => ({ metadata: { namespace, name, resourceVersion }, data, junk: 'x'.repeat(100) });

/** A scripted API server: each list answers the next item set, each watch plays the next events then ends. */
function source(lists: Item[][], watches: WatchEvent[][]): ListWatchSource & { queries: Query[] } {
  const queries: Query[] = [];
  return {
    queries,
    async listAll<T>(_path: string, _query: Query, map: (raw: T) => T): Promise<ObjectList<T>> {
      const items = (lists.shift() ?? []) as T[];
      return { items: items.map(map), metadata: { resourceVersion: '100' } };
    },
    async watch(_path: string, query: Query, onEvent: (e: WatchEvent) => void, signal: AbortSignal): Promise<void> {
      queries.push(query);
      const events = watches.shift();
      if (events === undefined) return new Promise((resolve) => signal.addEventListener('abort', () => resolve()));
      for (const e of events) onEvent(e);
    },
  };
}

function cache(src: ListWatchSource) {
  const seen: [WatchEventType, string, string | undefined][] = [];
  const lw = new ListWatch<Item>(src, {
    path: '/apis/x/v1/items', log: pino({ level: 'silent' }),
    compact: ({ junk: _, ...kept }) => kept,
    onEvent: (type, obj, previous) => seen.push([type, `${obj.metadata.namespace}/${obj.metadata.name}`, previous?.data]),
  });
  return { lw, seen };
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe('ListWatch', () => {
  it('lists, then applies watch events, keeping compacted objects by namespace', async () => {
    const { lw, seen } = cache(source([[item('a', 'one', '1'), item('b', 'two', '2')]], [[
      { type: 'MODIFIED', object: item('a', 'one', '3', 'edited') },
      { type: 'ADDED', object: item('a', 'three', '4') },
      { type: 'DELETED', object: item('b', 'two', '5') },
    ]]));
    await lw.start();
    await settle();
    lw.stop();
    expect(seen).toEqual([['ADDED', 'a/one', undefined], ['ADDED', 'b/two', undefined], ['MODIFIED', 'a/one', ''], ['ADDED', 'a/three', undefined], ['DELETED', 'b/two', '']]);
    expect(lw.list('a').map((i) => i.metadata.name)).toEqual(['one', 'three']);
    expect(lw.list('b')).toEqual([]);
    expect(lw.size).toBe(2);
    expect(lw.get('a', 'one')).toEqual({ metadata: { namespace: 'a', name: 'one', resourceVersion: '3' }, data: 'edited' });
  });

  it('resumes each watch from the last version seen, bookmarks included', async () => {
    const src = source([[item('a', 'one', '1')]], [[{ type: 'BOOKMARK', object: { metadata: { resourceVersion: '150' } } }], []]);
    const { lw } = cache(src);
    await lw.start();
    await settle();
    lw.stop();
    expect(src.queries.slice(0, 3).map((q) => q.resourceVersion)).toEqual(['100', '150', '150']);
  });

  it('after 410 Gone relists, and reports what changed meanwhile as adds, updates and deletes', async () => {
    const { lw, seen } = cache(source(
      [[item('a', 'kept', '1'), item('a', 'gone', '2')], [item('a', 'kept', '7', 'new'), item('a', 'born', '8')]],
      [[{ type: 'ERROR', object: { code: 410 } }]],
    ));
    await lw.start();
    seen.length = 0;
    await settle();
    lw.stop();
    expect(lw.relists).toBe(1);
    expect(seen).toEqual([['MODIFIED', 'a/kept', ''], ['ADDED', 'a/born', undefined], ['DELETED', 'a/gone', '']]);
  });
});
