import type { Span } from '../model/index.js';
import { traceMatcher } from './query.js';
import type { TraceQuery } from './query.js';
import type { EvictionReason, StoreStats, TraceStore } from './store.js';
import { TraceIdFilter } from './id-filter.js';
import { settleTrace } from './trace.js';
import type { StoredTrace } from './trace.js';

export interface MemoryStoreOptions {
  /** How long a settled trace is kept, ms. Default 1 hour. */
  readonly retentionMs: number;
  /** Most spans kept; the oldest traces are evicted beyond it. Default 1,000,000. */
  readonly maxSpans: number;
}

/**
 * Settled traces in a Map, plus a queue in settle order so eviction is O(evicted). Evicting by
 * iterating the Map from its start is not: V8 leaves deleted entries as holes until the table is
 * rehashed, and every scan from the front walks over all of them.
 */
export class MemoryTraceStore implements TraceStore {
  readonly #traces = new Map<string, StoredTrace>();
  /** Which ids `#traces` may hold: ingest asks about every new trace, and the answer is nearly always no. */
  readonly #ids: TraceIdFilter;
  /** Traces in settle order from `#head` on; entries whose trace was replaced or removed are skipped. */
  #order: (StoredTrace | undefined)[] = [];
  #head = 0;
  /**
   * Entries of `#order` whose trace was replaced or removed since. Nearly always 0, and then the
   * oldest entry is known to be stored without looking it up in `#traces`.
   */
  #staleEntries = 0;
  readonly #options: MemoryStoreOptions;
  #spans = 0;
  readonly #evictedTraces: Record<EvictionReason, number> = { retention: 0, capacity: 0 };
  readonly #evictedSpans: Record<EvictionReason, number> = { retention: 0, capacity: 0 };

  constructor(options: MemoryStoreOptions) {
    this.#options = options;
    // Typical traces have a handful of spans; the filter sizes itself per expected trace.
    this.#ids = new TraceIdFilter(Math.min(options.maxSpans / 4, 1 << 22));
  }

  put(trace: StoredTrace): void {
    this.#remove(trace.traceId);
    this.#traces.set(trace.traceId, trace);
    this.#ids.add(trace.traceId);
    this.#order.push(trace);
    this.#spans += trace.spans.length;
    this.#enforceCapacity();
  }

  get(traceId: string): StoredTrace | undefined {
    return this.#ids.mayHave(traceId) ? this.#traces.get(traceId) : undefined;
  }

  appendLate(traceId: string, spans: readonly Span[]): boolean {
    const old = this.#traces.get(traceId);
    if (old === undefined) return false;
    const updated = settleTrace(traceId, [...old.spans, ...spans], old.settledAtMs, old.lateSpans + spans.length);
    this.#spans += updated.spans.length - old.spans.length;
    // Updated in place so it keeps its place in settle order: the trace is as old as it was.
    old.spans = updated.spans;
    old.startUs = updated.startUs;
    old.endUs = updated.endUs;
    old.mergedDuplicates += updated.mergedDuplicates;
    old.lateSpans = updated.lateSpans;
    this.#enforceCapacity();
    return true;
  }

  query(q: TraceQuery): StoredTrace[] {
    const matches = traceMatcher(q);
    const out: StoredTrace[] = [];
    for (const t of this.#traces.values()) if (matches(t)) out.push(t);
    out.sort((a, b) => b.startUs - a.startUs);
    return out.length > q.limit ? out.slice(0, q.limit) : out;
  }

  traces(): Iterable<StoredTrace> {
    return this.#traces.values();
  }

  evictExpired(nowMs: number): void {
    const cutoff = nowMs - this.#options.retentionMs;
    for (let t = this.#oldest(); t !== undefined && t.settledAtMs <= cutoff; t = this.#oldest()) this.#evict(t, 'retention');
  }

  stats(): StoreStats {
    return {
      traces: this.#traces.size,
      spans: this.#spans,
      evictedTraces: { ...this.#evictedTraces },
      evictedSpans: { ...this.#evictedSpans },
    };
  }

  #enforceCapacity(): void {
    while (this.#spans > this.#options.maxSpans) {
      const t = this.#oldest();
      if (t === undefined) break;
      this.#evict(t, 'capacity');
    }
  }

  /** The oldest trace still stored; drops stale queue entries on the way. */
  #oldest(): StoredTrace | undefined {
    while (this.#head < this.#order.length) {
      const t = this.#order[this.#head];
      if (t !== undefined && (this.#staleEntries === 0 || this.#traces.get(t.traceId) === t)) return t;
      if (t !== undefined) this.#staleEntries--;
      this.#order[this.#head++] = undefined;
    }
    return undefined;
  }

  /** Evicts `t`, the oldest stored trace (so no lookup is needed to know it is stored). */
  #evict(t: StoredTrace, reason: EvictionReason): void {
    this.#forget(t);
    this.#order[this.#head++] = undefined;
    // Compact once the consumed front is half the queue, so the queue stays O(stored traces).
    if (this.#head > 1024 && this.#head * 2 > this.#order.length) {
      this.#order = this.#order.slice(this.#head);
      this.#head = 0;
    }
    this.#evictedTraces[reason]++;
    this.#evictedSpans[reason] += t.spans.length;
  }

  /** Removes the trace stored under `traceId`, if any; its queue entry stays behind, stale. */
  #remove(traceId: string): void {
    const old = this.get(traceId);
    if (old === undefined) return;
    this.#forget(old);
    this.#staleEntries++;
  }

  /** Drops `t`, which is stored, from the map, the id filter and the span count. */
  #forget(t: StoredTrace): void {
    this.#traces.delete(t.traceId);
    this.#ids.delete(t.traceId);
    this.#spans -= t.spans.length;
  }
}
