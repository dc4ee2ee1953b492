/**
 * The dashboard's pure parts, without a browser: the service-graph layout and the trace
 * waterfall's model (tree order, skew-corrected starts, break marks, folding).
 */
import { describe, expect, it } from 'vitest';
import type { TraceSpan, TraceView } from '../../web/src/api/types.js';
import { layoutGraph } from '../../web/src/graph/layout.js';
import { buildTraceModel, visibleRows } from '../../web/src/trace/model.js';

describe('service graph layout', () => {
  const edges = [
    { from: 'istio-system/gateway', to: 'default/productpage' },
    { from: 'default/productpage', to: 'default/reviews' },
    { from: 'default/productpage', to: 'default/details' },
    { from: 'default/reviews', to: 'default/ratings' },
  ];

  it('puts callees right of their callers, one column per call depth', () => {
    const layout = layoutGraph([], edges);
    const x = new Map(layout.nodes.map((n) => [n.key, n.x]));
    expect(x.get('istio-system/gateway')).toBeLessThan(x.get('default/productpage')!);
    expect(x.get('default/productpage')).toBeLessThan(x.get('default/reviews')!);
    expect(x.get('default/reviews')).toBe(x.get('default/details'));
    expect(x.get('default/reviews')).toBeLessThan(x.get('default/ratings')!);
  });

  it('is deterministic whatever the input order', () => {
    const a = layoutGraph(['default/lonely'], edges);
    const b = layoutGraph(['default/lonely'], [...edges].reverse());
    expect(b.nodes.sort((p, q) => p.key.localeCompare(q.key))).toEqual(a.nodes.sort((p, q) => p.key.localeCompare(q.key)));
  });

  it('survives cycles and self-calls, drawing them as arcs inside the picture', () => {
    const layout = layoutGraph([], [{ from: 'a/x', to: 'a/y' }, { from: 'a/y', to: 'a/x' }, { from: 'a/y', to: 'a/y' }]);
    expect(layout.nodes).toHaveLength(2);
    expect(layout.edges).toHaveLength(3);
    for (const e of layout.edges) expect(e.path).toMatch(/^M[\d.]+,[\d.]+ C/);
    const lowest = Math.max(...layout.nodes.map((n) => n.y));
    expect(layout.height).toBeGreaterThan(lowest + 44);
  });
});

function span(i: number, over: Partial<TraceSpan>): TraceSpan {
  return { traceId: 't', id: `s${i}`, name: `op${i}`, timestamp: 1_000_000 + i * 10, duration: 100, parentIndex: -1, skewOffsetUs: 0, ...over };
}

function view(spans: TraceSpan[], over: Partial<TraceView> = {}): TraceView {
  const roots = spans.flatMap((s, i) => (s.parentIndex === -1 && s.parentId === undefined ? [i] : []));
  const orphans = spans.flatMap((s, i) => (s.parentIndex === -1 && s.parentId !== undefined ? [i] : []));
  return { traceId: 't', startUs: 1_000_000, durationUs: 1000, spans, roots, orphans, hops: [], unpairedClients: 0, warnings: [], ...over };
}

describe('trace waterfall model', () => {
  it('orders spans depth first with children by corrected start, and applies skew offsets', () => {
    const v = view([
      span(0, {}),
      span(1, { parentIndex: 0, parentId: 's0', timestamp: 1_000_500 }),
      span(2, { parentIndex: 0, parentId: 's0', timestamp: 1_000_100 }),
      span(3, { parentIndex: 1, parentId: 's1', timestamp: 1_000_000, skewOffsetUs: 600 }),
    ]);
    const m = buildTraceModel(v);
    expect(m.rows.map((r) => r.index)).toEqual([0, 2, 1, 3]);
    expect(m.rows.map((r) => r.depth)).toEqual([0, 1, 1, 2]);
    expect(m.rows[3]!.startUs).toBe(1_000_600);
    expect(m.rows[3]!.parentRow).toBe(2);
    expect(m.rows.map((r) => [r.position, r.siblings])).toEqual([[1, 1], [1, 2], [2, 2], [1, 1]]);
  });

  it('marks a trace that starts at a sidecar\'s outbound call, orphans and grafted roots', () => {
    const graft = { orphanTraceId: 'f', orphanSpanId: 's2', parentTraceId: 't', parentSpanId: 's0', method: 'time-window' as const, confidence: 0.9, workload: 'default/reviews', callee: 'default/ratings' };
    const m = buildTraceModel(view([
      span(0, { kind: 'CLIENT', proxyRole: 'sidecar-outbound' }),
      span(1, { parentId: 'gone' }),
      span(2, { parentIndex: 0, parentId: 's0', graft, originalTraceId: 'f' }),
    ]));
    expect(m.breaks.map((b) => [b.kind, m.rows[b.row]!.index])).toEqual([['split-root', 0], ['graft', 2], ['orphan', 1]]);
    expect(m.rows.find((r) => r.index === 2)!.fromFragment).toBe(true);
  });

  it('gives a span without a timestamp its parent\'s start', () => {
    const m = buildTraceModel(view([span(0, { timestamp: 2_000_000 }), span(1, { parentIndex: 0, parentId: 's0', timestamp: undefined })]));
    expect(m.rows[1]!.startUs).toBe(2_000_000);
  });

  it('folds collapsed subtrees away', () => {
    const m = buildTraceModel(view([
      span(0, {}), span(1, { parentIndex: 0, parentId: 's0' }), span(2, { parentIndex: 1, parentId: 's1' }), span(3, { parentIndex: 0, parentId: 's0' }),
    ]));
    expect(visibleRows(m.rows, new Set([1]))).toEqual([0, 1, 3]);
    expect(visibleRows(m.rows, new Set([0]))).toEqual([0]);
  });

  it('lays out a 10,000-deep call chain without recursion', () => {
    const spans = Array.from({ length: 10_000 }, (_, i) => span(i, i === 0 ? {} : { parentIndex: i - 1, parentId: `s${i - 1}` }));
    const m = buildTraceModel(view(spans));
    expect(m.rows).toHaveLength(10_000);
    expect(m.rows[9_999]!.depth).toBe(9_999);
  });
});
