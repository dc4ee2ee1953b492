import { describe, expect, it } from 'vitest';
import { makeSpan } from '../../test/helpers/spans.js';
import { MemoryTraceStore } from './memory-store.js';
import { settleTrace } from './trace.js';

const tid = (n: number): string => n.toString(16).padStart(32, '0');
const trace = (n: number, spans: number, settledAtMs = n) =>
  settleTrace(tid(n), Array.from({ length: spans }, (_, i) => makeSpan({ traceId: tid(n), id: `${i + 1}`.padStart(16, '0') })), settledAtMs);

describe('in-memory trace store', () => {
  it('evicts strictly in settle order across many traces, keeping the span count exact', () => {
    const store = new MemoryTraceStore({ retentionMs: 1e12, maxSpans: 3000 });
    for (let n = 1; n <= 10_000; n++) store.put(trace(n, 3));
    const kept = [...store.traces()].map((t) => t.traceId);
    expect(kept).toHaveLength(1000);
    expect(kept[0]).toBe(tid(9001));
    expect(store.stats()).toMatchObject({ traces: 1000, spans: 3000, evictedTraces: { capacity: 9000 }, evictedSpans: { capacity: 27_000 } });
  });

  it('keeps a trace that received late spans in its original place', () => {
    const store = new MemoryTraceStore({ retentionMs: 1e12, maxSpans: 6 });
    store.put(trace(1, 2));
    store.put(trace(2, 2));
    expect(store.appendLate(tid(1), [makeSpan({ traceId: tid(1), id: '00000000000000ff' })])).toBe(true);
    expect(store.get(tid(1))!.spans).toHaveLength(3);
    expect(store.get(tid(1))!.lateSpans).toBe(1);
    store.put(trace(3, 2)); // 7 spans: the oldest, trace 1, goes despite its late update
    expect(store.get(tid(1))).toBeUndefined();
    expect(store.stats().spans).toBe(4);
  });

  it('treats a re-put trace as newly settled', () => {
    const store = new MemoryTraceStore({ retentionMs: 1e12, maxSpans: 4 });
    store.put(trace(1, 2));
    store.put(trace(2, 2));
    store.put(trace(1, 2)); // replaces trace 1, now the newest
    store.put(trace(3, 2));
    expect([...store.traces()].map((t) => t.traceId).sort()).toEqual([tid(1), tid(3)]);
    expect(store.stats().spans).toBe(4);
  });

  it('evicts what a plain settle-ordered map would, across random re-puts of stored and evicted traces', () => {
    let seed = 11;
    const rand = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const maxSpans = 40;
    const store = new MemoryTraceStore({ retentionMs: 1e12, maxSpans });
    // The reference: a Map keeps insertion order; a re-put moves a trace to the end.
    const expected = new Map<string, number>();
    for (let step = 0; step < 3000; step++) {
      const n = rand(30);
      const spans = 1 + rand(5);
      store.put(trace(n, spans, step));
      expected.delete(tid(n));
      expected.set(tid(n), spans);
      let total = [...expected.values()].reduce((a, b) => a + b, 0);
      for (const [id, count] of expected) {
        if (total <= maxSpans) break;
        expected.delete(id);
        total -= count;
      }
      expect([...store.traces()].map((t) => t.traceId).sort()).toEqual([...expected.keys()].sort());
      expect(store.stats().spans).toBe(total);
    }
  });

  it('drops traces past retention, oldest first, and stops at the first one still fresh', () => {
    const store = new MemoryTraceStore({ retentionMs: 100, maxSpans: 1e6 });
    for (let n = 1; n <= 5; n++) store.put(trace(n, 1, n * 50));
    store.evictExpired(300); // cutoff 200: traces settled at 50, 100, 150, 200 go
    expect([...store.traces()].map((t) => t.settledAtMs)).toEqual([250]);
    expect(store.stats().evictedTraces.retention).toBe(4);
  });
});
