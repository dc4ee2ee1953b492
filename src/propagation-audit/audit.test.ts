import { describe, expect, it } from 'vitest';
import { BASE_US, inbound, outbound, sid, tid, uuid } from '../../test/helpers/mesh-spans.js';
import type { Span } from '../model/index.js';
import { PropagationAuditor } from './auditor.js';
import type { AuditOptions } from './auditor.js';
import { analyze } from './report.js';

const gw = { workload: 'istio-ingressgateway', namespace: 'istio-system', gateway: true };
const front = { workload: 'frontend' };
const back = { workload: 'backend' };
const cron = { workload: 'cron' };

function audit(traces: Span[][], options: Partial<AuditOptions> = {}) {
  const auditor = new PropagationAuditor({ minRequests: 1, minGaps: 1, ...options });
  for (const t of traces) auditor.observe(t);
  const { report, grafts } = analyze(auditor, { fromUs: 0, toUs: BASE_US * 2 });
  const wl = (name: string) => report.workloads.find((w) => w.workload === name)!;
  return { report, grafts, wl };
}

/** Request n: gateway → frontend; frontend calls backend at +2 ms, forwarding as `mode` says. */
function request(n: number, mode: 'all' | 'none' | 'request-id', startMs = n * 100): Span[][] {
  const t1 = tid(n * 10 + 1);
  const t2 = tid(n * 10 + 2);
  const rid = uuid(n);
  const first = [
    inbound(gw, { traceId: t1, id: sid(n * 10 + 1), startMs, durationMs: 20, requestId: rid }),
    outbound(gw, 'frontend', { traceId: t1, id: sid(n * 10 + 2), parentId: sid(n * 10 + 1), startMs, durationMs: 19, requestId: rid }),
    inbound(front, { traceId: t1, id: sid(n * 10 + 3), parentId: sid(n * 10 + 2), startMs: startMs + 1, durationMs: 15, requestId: rid }),
  ];
  const call = { startMs: startMs + 3, durationMs: 5 };
  if (mode === 'all') {
    return [[...first,
      outbound(front, 'backend', { traceId: t1, id: sid(n * 10 + 4), parentId: sid(n * 10 + 3), ...call, requestId: rid }),
      inbound(back, { traceId: t1, id: sid(n * 10 + 5), parentId: sid(n * 10 + 4), startMs: call.startMs + 1, durationMs: 3, requestId: rid })]];
  }
  const rid2 = mode === 'request-id' ? rid : uuid(n + 100_000);
  return [first, [
    outbound(front, 'backend', { traceId: t2, id: sid(n * 10 + 4), ...call, requestId: rid2 }),
    inbound(back, { traceId: t2, id: sid(n * 10 + 5), parentId: sid(n * 10 + 4), startMs: call.startMs + 1, durationMs: 3, requestId: rid2 })]];
}

describe('propagation audit rules', () => {
  it('confirms a gap when the split-off call carries the request id of a request the pod was serving', () => {
    const { wl, grafts, report } = audit(request(1, 'request-id'));
    expect(wl('frontend')).toMatchObject({ verdict: 'breaks-propagation', gaps: { confirmed: 1, inferred: 0 }, gapRatio: 1 });
    expect(grafts).toEqual([expect.objectContaining({ orphanTraceId: tid(12), parentTraceId: tid(11), parentSpanId: sid(13), method: 'request-id', confidence: 1 })]);
    expect(report.edges.find((e) => e.from === 'default/frontend')).toMatchObject({ to: 'default/backend', calls: 1, gaps: 1, confirmed: 1 });
  });

  it('infers a gap from the pod being busy with a request when the call started', () => {
    const { wl } = audit(request(1, 'none'));
    expect(wl('frontend')).toMatchObject({ verdict: 'breaks-propagation', gaps: { confirmed: 0, inferred: 1 } });
    expect(wl('frontend').evidence[0]).toMatchObject({ kind: 'inferred', traceId: tid(12), parent: { traceId: tid(11), spanId: sid(13) } });
  });

  it('draws the gateway\'s calls as edges, never as gaps', () => {
    const { report, wl } = audit([1, 2, 3].flatMap((n) => request(n, 'none')));
    expect(report.edges.find((e) => e.from === 'istio-system/istio-ingressgateway')).toMatchObject({ to: expect.stringMatching(/\/frontend$/), calls: 3, gaps: 0 });
    expect(wl('istio-ingressgateway')).toMatchObject({ role: 'gateway', verdict: 'propagates', gapRatio: 0 });
  });

  it('finds nothing wrong when every call is parented', () => {
    const { wl, report, grafts } = audit([1, 2, 3].flatMap((n) => request(n, 'all')));
    expect(wl('frontend')).toMatchObject({ verdict: 'propagates', gapRatio: 0, gaps: { confirmed: 0, inferred: 0, deadEnds: 0, unattributed: 0 }, requests: 3, calls: 3 });
    expect(wl('backend')).toMatchObject({ verdict: 'propagates', calls: 0 });
    expect(report.mesh.propagationScore).toBe(1);
    expect(grafts).toEqual([]);
  });

  it('never blames gateways, whose spans start traces by design', () => {
    const { wl } = audit([1, 2].flatMap((n) => request(n, 'all')));
    expect(wl('istio-ingressgateway')).toMatchObject({ role: 'gateway', verdict: 'propagates', gapRatio: 0 });
  });

  it('treats roots of a workload without inbound traffic as legitimate (cron jobs, consumers)', () => {
    const roots = [1, 2, 3].map((n) => [outbound(cron, 'backend', { traceId: tid(n), id: sid(n), startMs: n * 1000, durationMs: 5 })]);
    const { wl } = audit(roots);
    expect(wl('cron')).toMatchObject({ role: 'originator', verdict: 'propagates', gaps: { confirmed: 0, inferred: 0, unattributed: 0 } });
  });

  it('waits for enough sampled requests before giving a verdict', () => {
    const { wl } = audit(request(1, 'request-id'), { minRequests: 200 });
    expect(wl('frontend')).toMatchObject({ verdict: 'insufficient-data', gaps: { confirmed: 1 } });
  });

  it('counts dead ends and unattributed roots when the split-off halves were sampled apart (low sampling)', () => {
    // Requests 1-3 sampled with their frontend spans only; the one split-off call that was
    // sampled happened while no recorded request was in flight.
    const traces = [1, 2, 3].map((n) => request(n, 'none')[0]!);
    traces.push(request(9, 'none', 5000)[1]!);
    const { wl } = audit(traces);
    expect(wl('frontend')).toMatchObject({ verdict: 'breaks-propagation', gaps: { deadEnds: 3, unattributed: 1, inferred: 0 } });
    expect(wl('frontend').evidence.map((e) => e.kind)).toEqual(['unattributed', 'dead-end', 'dead-end', 'dead-end']);
  });

  it('does not take an orphan (parent missing, maybe late) for a broken hop', () => {
    const [first] = request(1, 'all');
    const withoutInbound = first!.filter((s) => !(s.kind === 'SERVER' && s.mesh?.workload === 'frontend'));
    const { wl } = audit([withoutInbound]);
    expect(wl('frontend')).toMatchObject({ gaps: { confirmed: 0, inferred: 0, unattributed: 0 }, role: 'originator' });
  });

  it('attaches calls to the request of the same pod under Zipkin shared spans', () => {
    // shared_span_context=true: the inbound SERVER half reuses the caller's CLIENT span id.
    const t = tid(1);
    const spans = [
      outbound(gw, 'frontend', { traceId: t, id: sid(2), startMs: 0, durationMs: 19 }),
      inbound(front, { traceId: t, id: sid(2), startMs: 1, durationMs: 15 }),
      outbound(front, 'backend', { traceId: t, id: sid(3), parentId: sid(2), startMs: 3, durationMs: 5 }),
    ];
    const { wl } = audit([spans]);
    expect(wl('frontend')).toMatchObject({ calls: 1, gaps: { deadEnds: 0, confirmed: 0, inferred: 0 } });
  });

  it('names the headers to forward for the provider the spans came through', () => {
    const otlp = request(1, 'none').map((t) => t.map((s) => ({ ...s, source: 'otlp-proto' as const })));
    const { wl } = audit(otlp);
    expect(wl('frontend').headersToForward).toEqual(['x-request-id', 'traceparent', 'tracestate']);
    expect(wl('frontend').hints.join(' ')).toContain('traceparent');
    const { wl: zipkin } = audit(request(1, 'none'));
    expect(zipkin('frontend').headersToForward).toContain('x-b3-traceid');
    expect(zipkin('frontend').headersToForward).not.toContain('traceparent');
  });

  it('names the headers of the provider the sidecar was configured with, when xDS says so', () => {
    const configuredProvider = (w: string) => (w === 'default/frontend' ? 'opentelemetry' as const : undefined);
    const { wl } = audit(request(1, 'none'), { configuredProvider });
    expect(wl('frontend')).toMatchObject({ provider: 'opentelemetry', headersToForward: ['x-request-id', 'traceparent', 'tracestate'] });
    expect(wl('frontend').hints.join(' ')).toContain('traceparent');
    expect(wl('backend').headersToForward).toContain('x-b3-traceid');
  });

  it('hints at request ids Envoy cannot sample by and at mixed trace id widths', () => {
    const spans = request(1, 'all')[0]!.map((s) => ({ ...s, requestId: 'req-1' }));
    const narrow = request(2, 'all')[0]!.map((s) => ({ ...s, traceIdBits: 64 as const }));
    const { wl, report } = audit([spans, narrow]);
    expect(wl('frontend').hints[0]).toContain('not a UUID');
    expect(report.mesh.hints[0]).toContain('64-bit');
  });

  it('ignores spans stamped far in the future instead of letting them pin its windows', () => {
    const auditor = new PropagationAuditor({ minRequests: 1, minGaps: 1, clockUs: () => BASE_US });
    const future = request(1, 'none', 3 * 3_600_000); // three hours ahead of the clock
    for (const t of [...request(2, 'none'), ...future]) auditor.observe(t);
    expect(auditor.futureSpansIgnored).toBe(4); // request 1: the gateway's call, frontend inbound and outbound, backend inbound
    expect(auditor.latestUs).toBeLessThan(BASE_US + 3_600_000_000);
  });

  it('lowers its confidence as more requests were in flight when the call started', () => {
    const concurrent = (k: number): number => {
      const traces: Span[][] = [];
      for (let i = 0; i < k; i++) traces.push(request(i + 1, 'all', 0)[0]!.slice(0, 3)); // k requests in flight at once
      // A pod mostly idle otherwise, so a call inside a request window is not chance.
      for (let n = 100; n < 120; n++) traces.push(...request(n, 'all', n * 100));
      traces.push(request(50, 'none', 0)[1]!);
      const auditor = new PropagationAuditor({ minRequests: 1, minGaps: 1, minGraftConfidence: 0 });
      for (const t of traces) auditor.observe(t);
      return analyze(auditor, { fromUs: 0, toUs: BASE_US * 2 }).report.workloads.find((w) => w.workload === 'frontend')!.evidence[0]!.confidence;
    };
    expect(concurrent(1)).toBeGreaterThan(0.5);
    expect(concurrent(1)).toBeGreaterThan(concurrent(4));
    expect(concurrent(4)).toBeGreaterThan(concurrent(16));
  });

  it('holds at most maxObservations, dropping the oldest minutes first and counting them', () => {
    const auditor = new PropagationAuditor({ minRequests: 1, minGaps: 1, maxObservations: 40 });
    // One split request every 20 s for 10 minutes: about 4 observations each.
    for (let n = 1; n <= 30; n++) for (const t of request(n, 'none', n * 20_000)) auditor.observe(t);
    const held = auditor.observationsHeld;
    expect(held).toBeGreaterThan(40);
    auditor.prune(BASE_US + 11 * 60_000_000); // well inside the one-hour retention
    expect(auditor.observationsHeld).toBeLessThanOrEqual(40);
    expect(auditor.observationsEvicted).toBe(held - auditor.observationsHeld);
    expect(auditor.observationsExpired).toBe(0);
    // The newest requests survive, and their gaps are still found.
    const { report } = analyze(auditor, { fromUs: BASE_US + 8 * 60_000_000, toUs: BASE_US * 2 });
    expect(report.workloads.find((w) => w.workload === 'frontend')!.gaps.inferred).toBeGreaterThan(0);
    // Past the retention everything expires, and is counted as such.
    auditor.prune(BASE_US + 3 * 3_600_000_000);
    expect(auditor.observationsHeld).toBe(0);
    expect(auditor.observationsExpired).toBeGreaterThan(0);
  });

  it('drops about as many of the oldest observations as the cap requires, not whole minutes', () => {
    const auditor = new PropagationAuditor({ minRequests: 1, minGaps: 1, maxObservations: 150 });
    // One split request a second for 100 s: three observations each (two windows, a root call).
    for (let n = 1; n <= 100; n++) for (const t of request(n, 'none', n * 1000)) auditor.observe(t);
    const held = auditor.observationsHeld;
    expect(held).toBe(300);
    auditor.prune(BASE_US + 5 * 60_000_000);
    // Dropping the whole first minute would leave 123.
    expect(auditor.observationsHeld).toBeLessThanOrEqual(150);
    expect(auditor.observationsHeld).toBeGreaterThanOrEqual(147);
    expect(auditor.observationsEvicted).toBe(held - auditor.observationsHeld);
  });

  describe('hostile span data never crashes or stalls it', () => {
    it('takes a request with 20,000 outbound calls', () => {
      const t = tid(900);
      const spans: Span[] = [inbound(front, { traceId: t, id: sid(900_000), startMs: 0, durationMs: 5000, requestId: uuid(900) })];
      for (let i = 1; i <= 20_000; i++) spans.push(outbound(front, 'backend', { traceId: t, id: sid(900_000 + i), parentId: sid(900_000), startMs: 1 + (i % 4000), durationMs: 1, requestId: uuid(900) }));
      const { wl } = audit([spans]);
      expect(wl('frontend').gaps).toMatchObject({ confirmed: 0, inferred: 0 });
    });

    it('takes parent links that form a cycle', () => {
      const t = tid(901);
      const a = inbound(front, { traceId: t, id: sid(1), parentId: sid(2), startMs: 0, durationMs: 10 });
      const b = outbound(front, 'backend', { traceId: t, id: sid(2), parentId: sid(1), startMs: 1, durationMs: 5 });
      const c = outbound(front, 'backend', { traceId: t, id: sid(3), parentId: sid(3), startMs: 2, durationMs: 5 }); // its own parent
      const { report } = audit([[a, b, c]]);
      expect(report.workloads.find((w) => w.workload === 'frontend')).toBeDefined();
    });

    it('takes the same span ids reused across many traces', () => {
      const traces: Span[][] = [];
      for (let n = 1; n <= 300; n++) {
        traces.push([
          inbound(front, { traceId: tid(10_000 + n), id: sid(7), startMs: n * 10, durationMs: 8, requestId: uuid(7) }),
          outbound(front, 'backend', { traceId: tid(20_000 + n), id: sid(8), startMs: n * 10 + 1, durationMs: 2, requestId: uuid(7) }),
        ]);
      }
      const { wl, grafts } = audit(traces);
      // Every root is a gap; each graft names a parent of the same pod, whatever ids repeat.
      expect(wl('frontend').gaps.confirmed + wl('frontend').gaps.inferred + wl('frontend').gaps.unattributed).toBe(300);
      for (const g of grafts) expect(g.parentSpanId).toBe(sid(7));
    });
  });
});
