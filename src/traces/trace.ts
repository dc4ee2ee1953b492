/**
 * A settled trace as stored, and the full view (tree, hops, clock-skew offsets, warnings)
 * derived from it on demand, so memory holds only spans.
 */
import { highPart, joinParts, lowPart, splittable } from '../model/index.js';
import type { Span } from '../model/index.js';
import { findHops } from './hops.js';
import type { Hop } from './hops.js';
import { mergeDuplicates } from './merge.js';
import { correctClockSkew } from './skew.js';
import { buildTree } from './tree.js';
import type { SpanTree, TraceWarning } from './tree.js';

/**
 * Made by {@link settleTrace} only: its times are accessors (see `TraceTimes`), which an object
 * spread would not copy.
 */
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

/** A time's two stored parts (model/split-time.ts). */
function parts(t: number): [high: number, low: number] {
  const whole = splittable(t);
  return [highPart(whole), lowPart(whole)];
}

/**
 * The prototype of stored traces: their times as small integers, read and written through
 * accessors. An epoch time in µs or ms is past 2^31, and a number field V8 cannot keep as a small
 * integer is a 16-byte heap object of its own: three more objects per stored trace (nearly one
 * per stored span) for every full collection of the heap to visit. Times are whole (µs, and ms
 * for `settledAtMs`); a fraction is dropped, which no reader of a trace's bounds notices.
 */
class TraceTimes {
  declare startHigh: number;
  declare startLow: number;
  declare endHigh: number;
  declare endLow: number;
  declare settledHigh: number;
  declare settledLow: number;

  /** Stored traces are object literals given this prototype, never instances. */
  private constructor() {
    throw new TypeError('stored traces are made by settleTrace()');
  }

  get startUs(): number {
    return joinParts(this.startHigh, this.startLow);
  }

  set startUs(us: number) {
    [this.startHigh, this.startLow] = parts(us);
  }

  get endUs(): number {
    return joinParts(this.endHigh, this.endLow);
  }

  set endUs(us: number) {
    [this.endHigh, this.endLow] = parts(us);
  }

  get settledAtMs(): number {
    return joinParts(this.settledHigh, this.settledLow);
  }

  set settledAtMs(ms: number) {
    [this.settledHigh, this.settledLow] = parts(ms);
  }
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
  const [startHigh, startLow] = parts(startUs), [endHigh, endLow] = parts(endUs), [settledHigh, settledLow] = parts(nowMs);
  // A literal given the prototype after, as spans are (model/compact-span.ts): V8 then still
  // allocates this site's objects straight into the old generation once they prove long-lived.
  return Object.setPrototypeOf({
    traceId, spans: merged, startHigh, startLow, endHigh, endLow, mergedDuplicates, lateSpans, settledHigh, settledLow,
  }, TraceTimes.prototype) as StoredTrace;
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
