import { describe, expect, it } from 'vitest';
import { makeSpan } from '../../test/helpers/spans.js';
import { TraceAssembler } from './assembler.js';
import { MemoryTraceStore } from './memory-store.js';

function setup(overrides: { maxBufferedSpans?: number; maxSpans?: number; retentionMs?: number } = {}) {
  let now = 1_000_000;
  const store = new MemoryTraceStore({ retentionMs: overrides.retentionMs ?? 60_000, maxSpans: overrides.maxSpans ?? 1000 });
  const assembler = new TraceAssembler({ settleMs: 5000, maxBufferedSpans: overrides.maxBufferedSpans ?? 1000, maxTraceAgeMs: 30_000, store, now: () => now });
  return { store, assembler, advance: (ms: number) => { now += ms; }, now: () => now };
}

const T1 = '00000000000000000000000000000001';
const T2 = '00000000000000000000000000000002';

describe('trace assembly', () => {
  it('settles a trace once it has been quiet for the settle period', () => {
    const { store, assembler, advance } = setup();
    assembler.accept([makeSpan({ traceId: T1, id: 'a' })]);
    advance(4000);
    assembler.accept([makeSpan({ traceId: T1, id: 'b', parentId: 'a' })]);
    advance(4000);
    expect(assembler.settleDue()).toBe(0); // the second span restarted the quiet period
    advance(1100);
    expect(assembler.settleDue()).toBe(1);
    expect(store.get(T1)!.spans.map((s) => s.id)).toEqual(['a', 'b']);
    expect(assembler.stats().bufferedSpans).toBe(0);
  });

  it('settles a busy trace at its maximum age', () => {
    const { assembler, advance } = setup();
    for (let i = 0; i < 40; i++) {
      assembler.accept([makeSpan({ traceId: T1, id: `s${i}` })]);
      advance(1000);
      assembler.settleDue();
    }
    expect(assembler.stats().settledTraces).toBe(1);
  });

  it('merges late spans into the settled trace', () => {
    const { store, assembler, advance } = setup();
    assembler.accept([makeSpan({ traceId: T1, id: 'a' })]);
    advance(6000);
    assembler.settleDue();
    assembler.accept([makeSpan({ traceId: T1, id: 'late', parentId: 'a' })]);
    expect(store.get(T1)!.spans.map((s) => s.id)).toEqual(['a', 'late']);
    expect(store.get(T1)!.lateSpans).toBe(1);
    expect(assembler.stats().lateSpans).toBe(1);
  });

  it('shows unsettled traces through peek', () => {
    const { assembler } = setup();
    assembler.accept([makeSpan({ traceId: T1, id: 'a' })]);
    expect(assembler.peek(T1)!.spans).toHaveLength(1);
  });

  it('refuses new batches when the buffer is full, with a retry hint', () => {
    const { assembler } = setup({ maxBufferedSpans: 2 });
    expect(assembler.admit().ok).toBe(true);
    assembler.accept([makeSpan({ traceId: T1, id: 'a' }), makeSpan({ traceId: T2, id: 'b' })]);
    const admission = assembler.admit();
    expect(admission).toMatchObject({ ok: false, retryAfterSeconds: 5 });
    expect(assembler.stats().refusedBatches).toBe(1);
  });

  it('groups spans by trace whether a trace\'s spans sit together in a batch or not', () => {
    const { store, assembler } = setup();
    assembler.accept([
      makeSpan({ traceId: T1, id: 'a' }), makeSpan({ traceId: T1, id: 'b', parentId: 'a' }),
      makeSpan({ traceId: T2, id: 'c' }), makeSpan({ traceId: T1, id: 'd', parentId: 'b' }),
    ]);
    assembler.accept([makeSpan({ traceId: T2, id: 'e', parentId: 'c' }), makeSpan({ traceId: T1, id: 'f', parentId: 'a' })]);
    assembler.settleAll();
    expect(store.get(T1)!.spans.map((s) => [s.id, s.parentId])).toEqual([['a', undefined], ['b', 'a'], ['d', 'b'], ['f', 'a']]);
    expect(store.get(T2)!.spans.map((s) => [s.id, s.parentId])).toEqual([['c', undefined], ['e', 'c']]);
  });

  it('shares equal ids between a trace\'s spans without changing any value', () => {
    const { store, assembler } = setup();
    // Equal values in separate instances, as decoders make them; a child arriving before its parent too.
    const id = (s: string): string => [...s].join('');
    assembler.accept([makeSpan({ traceId: id(T1), id: id('b'), parentId: id('a'), requestId: id('r'), ownTags: ['guid:x-request-id', id('r')] })]);
    assembler.accept([makeSpan({ traceId: id(T1), id: id('a'), requestId: id('r'), ownTags: ['guid:x-request-id', id('r')] })]);
    assembler.accept([makeSpan({ traceId: id(T1), id: id('b'), parentId: id('a'), kind: 'SERVER', shared: true })]);
    assembler.settleAll();
    expect(store.get(T1)!.spans.map((s) => [s.traceId, s.id, s.parentId, s.requestId, s.ownTags])).toEqual([
      [T1, 'b', 'a', 'r', ['guid:x-request-id', 'r']],
      [T1, 'a', undefined, 'r', ['guid:x-request-id', 'r']],
      [T1, 'b', 'a', undefined, []],
    ]);
  });

  it('shares only equal ids, also between ids that end alike (and so look alike at first sight)', () => {
    const { store, assembler } = setup();
    // Same last four characters, different ids: a span whose parent or id merely ends like another
    // span's id must keep its own.
    const a = 'aaaaaaaaaaaa1234';
    const b = 'bbbbbbbbbbbb1234';
    const c = 'cccccccccccc1234';
    assembler.accept([makeSpan({ traceId: T1, id: a })]);
    assembler.accept([makeSpan({ traceId: T1, id: 'dddddddddddd5678', parentId: b }), makeSpan({ traceId: T1, id: c, parentId: a })]);
    assembler.accept([makeSpan({ traceId: T1, id: 'eeeeeeeeeeee9999', parentId: c })]);
    assembler.settleAll();
    expect(store.get(T1)!.spans.map((s) => [s.id, s.parentId])).toEqual([
      [a, undefined], ['dddddddddddd5678', b], [c, a], ['eeeeeeeeeeee9999', c],
    ]);
  });

  it('settles everything on shutdown', () => {
    const { store, assembler } = setup();
    assembler.accept([makeSpan({ traceId: T1, id: 'a' }), makeSpan({ traceId: T2, id: 'b' })]);
    expect(assembler.settleAll()).toBe(2);
    expect(store.stats().traces).toBe(2);
  });
});

describe('memory store', () => {
  it('evicts the oldest traces beyond capacity and counts it', () => {
    const { store, assembler } = setup({ maxSpans: 2 });
    assembler.accept([makeSpan({ traceId: T1, id: 'a' }), makeSpan({ traceId: T1, id: 'b' })]);
    assembler.settleAll();
    assembler.accept([makeSpan({ traceId: T2, id: 'c' })]);
    assembler.settleAll();
    expect(store.get(T1)).toBeUndefined();
    expect(store.stats()).toMatchObject({ traces: 1, spans: 1, evictedTraces: { capacity: 1 }, evictedSpans: { capacity: 2 } });
  });

  it('finds what it holds and nothing else, however ids are written', () => {
    const { store, assembler } = setup();
    const ids = Array.from({ length: 200 }, (_, i) => i.toString(16).padStart(32, '0'));
    assembler.accept(ids.map((traceId, i) => makeSpan({ traceId, id: `s${i}` })));
    assembler.settleAll();
    for (const traceId of ids) expect(store.get(traceId)?.traceId).toBe(traceId);
    expect(store.get('f'.repeat(32))).toBeUndefined();
    expect(store.get('')).toBeUndefined();
  });

  it('evicts traces past retention', () => {
    const { store, assembler, advance, now } = setup({ retentionMs: 10_000 });
    assembler.accept([makeSpan({ traceId: T1, id: 'a' })]);
    assembler.settleAll();
    advance(11_000);
    store.evictExpired(now());
    expect(store.stats()).toMatchObject({ traces: 0, evictedTraces: { retention: 1 } });
  });
});
