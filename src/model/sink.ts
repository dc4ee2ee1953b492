/**
 * The boundary between ingest and everything after it. Ingest decodes and normalizes, then hands
 * spans to a SpanSink; it never knows how they are buffered, stitched or stored.
 */
import type { Span } from './span.js';

/** Why one span of a batch was rejected; the rest of the batch is kept. */
export interface SpanRejection {
  /** Position of the span in its batch, in the sender's order. */
  readonly index: number;
  /** Stable, low-cardinality reason used as a metric label (e.g. `invalid-trace-id`). */
  readonly reason: RejectReason;
  /** Human-readable detail with the field path, e.g. `spans[3].traceId: not 16 or 32 hex chars`. */
  readonly message: string;
}

export type RejectReason =
  | 'invalid-trace-id'
  | 'invalid-span-id'
  | 'invalid-parent-id'
  | 'invalid-timestamp'
  | 'invalid-duration'
  | 'invalid-span'
  | 'too-many-spans';

/** The outcome of decoding one request body. */
export interface DecodedBatch {
  readonly spans: Span[];
  readonly rejected: SpanRejection[];
}

/** Whether a sink can take more spans right now. */
export type Admission =
  | { readonly ok: true }
  | { readonly ok: false; readonly message: string; readonly retryAfterSeconds: number };

export interface SpanSink {
  /** Asked before decoding, so a full buffer costs the sender a cheap 429 rather than our CPU. */
  admit(): Admission;
  /** Takes ownership of the spans. */
  accept(spans: readonly Span[]): void;
}
