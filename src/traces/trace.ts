/**
 * A settled trace as stored, and the full view (tree, hops, clock-skew offsets, warnings)
 * derived from it on demand, so memory holds only spans.
 */
import type { Span } from '../model/index.js';
import { findHops } from './hops.js';
import type { Hop } from './hops.js';
import { mergeDuplicates } from './merge.js';
import { correctClockSkew } from './skew.js';
import { buildTree } from './tree.js';
import type { SpanTree, TraceWarning } from './tree.js';

export interface StoredTrace {
  readonly traceId: string;
  /** Spans with duplicates merged, in arrival order. */
  spans: Span[];
  /** Earliest span start, epoch µs. */
  startUs: number;
  /** Latest span end, epoch µs. */
  endUs: number;
  /** Spans folded into others as duplicates. */
  mergedDuplicates: number;
  /** Spans that arrived after the trace settled. */
  lateSpans: number;
  /** When the trace settled (ms since epoch, server clock). */
  settledAtMs: number;
}

export interface TraceView {
  readonly trace: StoredTrace;
  readonly tree: SpanTree;
  readonly hops: Hop[];
  readonly unpairedClients: number;
  /** Per-span display offsets (µs) from clock-skew correction. */
  readonly skewOffsets: Float64Array;
  readonly warnings: TraceWarning[];
}

/** Builds the stored form of a trace from its spans. */
export function settleTrace(traceId: string, spans: readonly Span[], nowMs: number, lateSpans = 0): StoredTrace {
  const { spans: merged, merged: mergedDuplicates } = mergeDuplicates(spans);
  let startUs = Number.MAX_SAFE_INTEGER;
  let endUs = 0;
  for (const s of merged) {
    if (s.timestampUs === 0) continue;
    if (s.timestampUs < startUs) startUs = s.timestampUs;
    if (s.timestampUs + s.durationUs > endUs) endUs = s.timestampUs + s.durationUs;
  }
  if (endUs === 0) startUs = 0;
  return { traceId, spans: merged, startUs, endUs, mergedDuplicates, lateSpans, settledAtMs: nowMs };
}

/** Duration of the whole trace in µs. */
export function traceDurationUs(t: StoredTrace): number {
  return t.endUs - t.startUs;
}

export function viewTrace(trace: StoredTrace): TraceView {
  const tree = buildTree(trace.spans);
  const { hops, unpairedClients } = findHops(trace.spans, tree);
  const skew = correctClockSkew(trace.spans, tree);
  const warnings = [...tree.warnings, ...skew.warnings];
  if (trace.mergedDuplicates > 0) {
    warnings.push({ code: 'duplicates-merged', spanId: undefined, message: `${trace.mergedDuplicates} duplicate spans merged` });
  }
  if (trace.lateSpans > 0) {
    warnings.push({ code: 'late-spans', spanId: undefined, message: `${trace.lateSpans} spans arrived after the trace settled` });
  }
  return { trace, tree, hops, unpairedClients, skewOffsets: skew.offsets, warnings };
}
