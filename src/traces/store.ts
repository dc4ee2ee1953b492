/**
 * Where settled traces live. The in-memory store below is the embedded default; a database
 * backend implements the same interface.
 */
import type { Span } from '../model/index.js';
import type { TraceQuery } from './query.js';
import type { StoredTrace } from './trace.js';

export type EvictionReason = 'retention' | 'capacity';

export interface StoreStats {
  readonly traces: number;
  readonly spans: number;
  readonly evictedTraces: Readonly<Record<EvictionReason, number>>;
  readonly evictedSpans: Readonly<Record<EvictionReason, number>>;
}

export interface TraceStore {
  /** Stores a newly settled trace (replacing one with the same id). */
  put(trace: StoredTrace): void;
  get(traceId: string): StoredTrace | undefined;
  /** Merges spans that arrived after their trace settled; false when the trace is not stored. */
  appendLate(traceId: string, spans: readonly Span[]): boolean;
  /** Traces matching a Zipkin-style query, newest first. */
  query(q: TraceQuery): StoredTrace[];
  /** Every stored trace, oldest settled first. */
  traces(): Iterable<StoredTrace>;
  /** Drops traces past retention; called periodically. */
  evictExpired(nowMs: number): void;
  stats(): StoreStats;
}
