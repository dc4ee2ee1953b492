import type { Span } from '../model/index.js';
import { traceMatcher } from './query.js';
import type { TraceQuery } from './query.js';
import type { EvictionReason, StoreStats, TraceStore } from './store.js';
import { settleTrace } from './trace.js';
import type { StoredTrace } from './trace.js';

export interface MemoryStoreOptions {
  /** How long a settled trace is kept, ms. Default 1 hour. */
  readonly retentionMs: number;
  /** Most spans kept; the oldest traces are evicted beyond it. Default 1,000,000. */
  readonly maxSpans: number;
}

/**
 * Settled traces in a Map, whose insertion order is settle order, so the oldest trace is always
 * first and eviction is O(evicted).
 */
export class MemoryTraceStore implements TraceStore {
  readonly #traces = new Map<string, StoredTrace>();
  readonly #options: MemoryStoreOptions;
  #spans = 0;
  readonly #evictedTraces: Record<EvictionReason, number> = { retention: 0, capacity: 0 };
  readonly #evictedSpans: Record<EvictionReason, number> = { retention: 0, capacity: 0 };

  constructor(options: MemoryStoreOptions) {
    this.#options = options;
  }

  put(trace: StoredTrace): void {
    this.#remove(trace.traceId);
    this.#traces.set(trace.traceId, trace);
    this.#spans += trace.spans.length;
    this.#enforceCapacity();
  }

  get(traceId: string): StoredTrace | undefined {
    return this.#traces.get(traceId);
  }

  appendLate(traceId: string, spans: readonly Span[]): boolean {
    const old = this.#traces.get(traceId);
    if (old === undefined) return false;
    const updated = settleTrace(traceId, [...old.spans, ...spans], old.settledAtMs, old.lateSpans + spans.length);
    updated.mergedDuplicates += old.mergedDuplicates;
    // Keep its place in settle order: the trace is as old as it was; only its content grew.
    this.#spans += updated.spans.length - old.spans.length;
    this.#traces.set(traceId, updated);
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
    for (const t of this.#traces.values()) {
      if (t.settledAtMs > cutoff) break;
      this.#evict(t, 'retention');
    }
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
    if (this.#spans <= this.#options.maxSpans) return;
    for (const t of this.#traces.values()) {
      if (this.#spans <= this.#options.maxSpans) break;
      this.#evict(t, 'capacity');
    }
  }

  #evict(t: StoredTrace, reason: EvictionReason): void {
    this.#remove(t.traceId);
    this.#evictedTraces[reason]++;
    this.#evictedSpans[reason] += t.spans.length;
  }

  #remove(traceId: string): void {
    const old = this.#traces.get(traceId);
    if (old === undefined) return;
    this.#traces.delete(traceId);
    this.#spans -= old.spans.length;
  }
}
