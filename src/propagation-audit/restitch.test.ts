import { describe, expect, it } from 'vitest';
import { makeSpan } from '../../test/helpers/spans.js';
import type { Span } from '../model/index.js';
import { graftsAsOtlpLinks } from './links.js';
import type { Graft } from './report.js';
import { indexGrafts, stitchTrace } from './restitch.js';

const span = (traceId: string, id: string, parentId?: string): Span => makeSpan({ traceId, id, parentId });
const traces = new Map<string, Span[]>([
  ['t1', [span('t1', 'a'), span('t1', 'b', 'a')]],
  ['t2', [span('t2', 'c'), span('t2', 'd', 'c')]],
  ['t3', [span('t3', 'e')]],
]);
const graft = (orphan: string, orphanSpan: string, parent: string, parentSpan: string, confidence = 0.9): Graft => ({
  orphanTraceId: orphan, orphanSpanId: orphanSpan, parentTraceId: parent, parentSpanId: parentSpan,
  method: 'time-window', confidence, workload: 'default/w', callee: 'default/c',
});

describe('re-stitching', () => {
  const index = indexGrafts([graft('t2', 'c', 't1', 'b'), graft('t3', 'e', 't2', 'd', 1)]);

  it('hangs each fragment under its inferred parent, marked, without touching the stored spans', () => {
    const s = stitchTrace('t1', (id) => traces.get(id), index)!;
    expect(s.traceId).toBe('t1');
    expect(s.fragments).toEqual(['t2', 't3']);
    expect(s.spans.map((x) => `${x.id}<${x.parentId ?? ''}`)).toEqual(['a<', 'b<a', 'c<b', 'd<c', 'e<d']);
    expect(s.spans.every((x) => x.traceId === 't1')).toBe(true);
    expect(s.originalTraceIds).toEqual(['t1', 't1', 't2', 't2', 't3']);
    expect(s.grafts.map((g) => g?.confidence)).toEqual([undefined, undefined, 0.9, undefined, 1]);
    expect(traces.get('t2')![0]!.parentId).toBeUndefined();
  });

  it('shows the whole family when asked for a fragment', () => {
    expect(stitchTrace('t3', (id) => traces.get(id), index)!.traceId).toBe('t1');
  });

  it('keeps the most confident graft of a fragment and survives graft cycles', () => {
    const cyclic = indexGrafts([graft('t1', 'a', 't2', 'd', 0.6), graft('t2', 'c', 't1', 'b', 0.7), graft('t2', 'c', 't3', 'e', 0.5)]);
    expect(cyclic.byOrphanTrace.get('t2')!.parentTraceId).toBe('t1');
    const s = stitchTrace('t2', (id) => traces.get(id), cyclic)!;
    expect(new Set(s.originalTraceIds)).toEqual(new Set(['t1', 't2']));
  });

  it('exports grafts as OTLP span links', () => {
    const otlp = graftsAsOtlpLinks([graft('t2', 'c', 't1', 'b')]) as { resourceSpans: { scopeSpans: { spans: { traceId: string; links: { traceId: string; spanId: string }[] }[] }[] }[] };
    const out = otlp.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(out).toMatchObject({ traceId: 't2', links: [{ traceId: 't1', spanId: 'b' }] });
  });
});
