/**
 * The stitched view of a split trace: the fragments that broke off (roots grafted by the audit)
 * hung back under the inbound span they came from. Stored traces are never rewritten; the view
 * is built from copies, each grafted root marked with the method and confidence of its graft.
 */
import { compactSpan, spanFields } from '../model/index.js';
import type { Span } from '../model/index.js';
import type { Graft } from './report.js';

export interface GraftIndex {
  readonly byOrphanTrace: ReadonlyMap<string, Graft>;
  readonly byParentTrace: ReadonlyMap<string, readonly Graft[]>;
}

export function indexGrafts(grafts: readonly Graft[]): GraftIndex {
  const byOrphanTrace = new Map<string, Graft>();
  const byParentTrace = new Map<string, Graft[]>();
  for (const g of grafts) {
    const known = byOrphanTrace.get(g.orphanTraceId);
    // A fragment hangs under one parent: the most confident graft of its root wins.
    if (known !== undefined && known.confidence >= g.confidence) continue;
    byOrphanTrace.set(g.orphanTraceId, g);
  }
  for (const g of byOrphanTrace.values()) {
    const list = byParentTrace.get(g.parentTraceId);
    if (list === undefined) byParentTrace.set(g.parentTraceId, [g]);
    else list.push(g);
  }
  return { byOrphanTrace, byParentTrace };
}

export interface StitchedTrace {
  /** The trace at the top of the stitched family. */
  readonly traceId: string;
  /** All spans, re-keyed to `traceId`; grafted roots point at their inferred parent. */
  readonly spans: Span[];
  /** Per span: the trace it was stored in. */
  readonly originalTraceIds: string[];
  /** Per span: the graft that hung it (only on grafted roots). */
  readonly grafts: (Graft | undefined)[];
  readonly fragments: string[];
}

/** Fragments deeper than this are not followed (a hostile chain of grafts stays bounded). */
const MAX_DEPTH = 16;
const MAX_FRAGMENTS = 1000;

/** Builds the stitched family of `traceId`, or undefined when the trace is unknown. */
export function stitchTrace(traceId: string, spansOf: (traceId: string) => readonly Span[] | undefined, grafts: GraftIndex): StitchedTrace | undefined {
  let top = traceId;
  const climbed = new Set([top]);
  for (let g = grafts.byOrphanTrace.get(top); g !== undefined && climbed.size < MAX_DEPTH; g = grafts.byOrphanTrace.get(top)) {
    if (climbed.has(g.parentTraceId) || spansOf(g.parentTraceId) === undefined) break;
    top = g.parentTraceId;
    climbed.add(top);
  }
  const topSpans = spansOf(top);
  if (topSpans === undefined) return undefined;
  const out: StitchedTrace = { traceId: top, spans: [], originalTraceIds: [], grafts: [], fragments: [] };
  const visited = new Set<string>();
  const add = (id: string, spans: readonly Span[], graft: Graft | undefined, depth: number): void => {
    visited.add(id);
    for (const s of spans) {
      const grafted = graft !== undefined && s.id === graft.orphanSpanId && s.parentId === undefined;
      out.spans.push(id === top && !grafted ? s : compactSpan({ ...spanFields(s), traceId: top, parentId: grafted ? graft.parentSpanId : s.parentId }));
      out.originalTraceIds.push(id);
      out.grafts.push(grafted ? graft : undefined);
    }
    if (depth >= MAX_DEPTH) return;
    for (const g of grafts.byParentTrace.get(id) ?? []) {
      if (visited.has(g.orphanTraceId) || out.fragments.length >= MAX_FRAGMENTS) continue;
      const fragment = spansOf(g.orphanTraceId);
      if (fragment === undefined) continue;
      out.fragments.push(g.orphanTraceId);
      add(g.orphanTraceId, fragment, g, depth + 1);
    }
  };
  add(top, topSpans, undefined, 0);
  return out;
}
