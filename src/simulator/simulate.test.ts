import { describe, expect, it } from 'vitest';
import { TOPOLOGIES, simulate } from './index.js';
import type { SimSpan, SimulationOptions } from './index.js';
import { START_US, indexSpans, isGateway, workloadOf } from '../../test/helpers/sim-helpers.js';

const base: SimulationOptions = {
  topology: 'bookinfo', provider: 'zipkin', samplingPercent: 100, concurrency: 10, requests: 300, clockSkewMs: 0, seed: 7, startUs: START_US,
};

const isRoot = (s: SimSpan): boolean => s.parentId === undefined;

describe('simulate', () => {
  it('is deterministic for a seed', () => {
    const opts: SimulationOptions = { ...base, samplingPercent: 30, clockSkewMs: 20, behaviours: { reviews: 'forward-none' } };
    expect(simulate(opts)).toEqual(simulate(opts));
    expect(simulate({ ...opts, seed: 8 }).batches).not.toEqual(simulate(opts).batches);
  });

  for (const topology of TOPOLOGIES) {
    for (const provider of ['zipkin', 'opentelemetry'] as const) {
      it(`${topology}/${provider}: with forward-all at 100% every user request is one trace rooted at the gateway`, () => {
        const { batches, truth } = simulate({ ...base, topology, provider });
        const { spans, byId, byTrace } = indexSpans(batches);
        expect(truth.orphans).toEqual([]);
        expect(truth.emittedSpans).toBe(spans.length);
        let gatewayTraces = 0;
        for (const trace of byTrace.values()) {
          const roots = trace.filter(isRoot);
          expect(roots).toHaveLength(1);
          const root = roots[0]!;
          if (isGateway(root)) {
            gatewayTraces++;
            expect(root.kind).toBe('SERVER');
          } else {
            // The only other legitimate root: the originator's call.
            expect(root.kind).toBe('CLIENT');
            expect(truth.workloads.find((w) => w.workload === workloadOf(root))!.role).toBe('originator');
          }
          for (const s of trace) if (!isRoot(s)) expect(byId.has(`${s.traceId}/${s.parentId!}`)).toBe(true);
        }
        expect(gatewayTraces).toBe(base.requests);
        for (const w of truth.workloads) {
          expect(w.breaks).toBe(false);
          expect(w.sampledInboundRequests).toBe(w.inboundRequests);
        }
        // Every call made is served once: the call graph's books balance.
        const calls = truth.workloads.reduce((n, w) => n + w.outboundCalls, 0);
        const served = truth.workloads.filter((w) => w.role === 'service').reduce((n, w) => n + w.inboundRequests, 0);
        expect(served).toBe(calls);
        expect(truth.workloads.find((w) => w.role === 'gateway')!.inboundRequests).toBe(base.requests);
      });
    }
  }

  it('pairs every hop: CLIENT contains its SERVER child, same name, same request id', () => {
    const { batches } = simulate({ ...base, topology: 'online-boutique' });
    const { spans, byId } = indexSpans(batches);
    for (const server of spans.filter((s) => s.kind === 'SERVER' && !isGateway(s))) {
      const client = byId.get(`${server.traceId}/${server.parentId!}`)!;
      expect(client.kind).toBe('CLIENT');
      expect(server.timestamp).toBeGreaterThan(client.timestamp);
      expect(server.timestamp + server.duration).toBeLessThan(client.timestamp + client.duration);
      expect(server.tags['guid:x-request-id']).toBe(client.tags['guid:x-request-id']);
      if (!isGateway(client)) expect(server.name).toBe(client.name);
      expect(server.tags['upstream_cluster']).toMatch(/^inbound\|\d+\|\|$/);
      expect(server.tags['peer.address']).toBe(client.localEndpoint.ipv4);
    }
  });

  it('gives Zipkin roots the low 64 bits of their trace id as span id, and OpenTelemetry roots a fresh one', () => {
    const zipkinRoots = indexSpans(simulate(base).batches).spans.filter(isRoot);
    expect(zipkinRoots.every((s) => s.traceId.slice(16) === s.id && s.traceId.length === 32)).toBe(true);
    const otelRoots = indexSpans(simulate({ ...base, provider: 'opentelemetry' }).batches).spans.filter(isRoot);
    expect(otelRoots.some((s) => s.traceId.slice(16) === s.id)).toBe(false);
  });

  it('forward-none at 100%: each orphan root has its true parent on the same pod, whose window contains a sync root', () => {
    const { batches, truth } = simulate({ ...base, behaviours: { productpage: 'forward-none' } });
    const { spans, byId } = indexSpans(batches);
    expect(truth.orphans.length).toBeGreaterThan(base.requests);
    for (const o of truth.orphans) {
      const root = byId.get(`${o.traceId}/${o.spanId}`)!;
      const parent = byId.get(`${o.parent.traceId}/${o.parent.spanId}`)!;
      expect(root.kind).toBe('CLIENT');
      expect(root.parentId).toBeUndefined();
      expect(root.traceId).not.toBe(parent.traceId);
      expect(o.parent.sampled).toBe(true);
      expect(parent.kind).toBe('SERVER');
      expect(parent.tags['node_id']).toBe(root.tags['node_id']);
      expect(root.tags['node_id']).toContain(`~${o.pod}.${o.namespace}~`);
      expect(root.tags['upstream_cluster']).toContain(`||${o.callee}.`);
      expect(o.requestIdForwarded).toBe(false);
      expect(root.tags['guid:x-request-id']).not.toBe(parent.tags['guid:x-request-id']);
      if (!o.async) {
        expect(root.timestamp).toBeGreaterThanOrEqual(parent.timestamp);
        expect(root.timestamp).toBeLessThanOrEqual(parent.timestamp + parent.duration);
      }
    }
    expect(truth.orphans.some((o) => o.async)).toBe(true);
    // Exact: the orphans are precisely the emitted sidecar roots that are not the originator's.
    const originator = truth.workloads.find((w) => w.role === 'originator')!.workload;
    const sidecarRoots = spans.filter((s) => isRoot(s) && !isGateway(s) && workloadOf(s) !== originator);
    expect(new Set(sidecarRoots.map((s) => `${s.traceId}/${s.id}`))).toEqual(new Set(truth.orphans.map((o) => `${o.traceId}/${o.spanId}`)));
    const productpage = truth.workloads.find((w) => w.workload === 'productpage')!;
    expect(productpage.breaks).toBe(true);
    expect(productpage.brokenCalls).toBe(productpage.outboundCalls);
  });

  it('forward-request-id: roots carry the same x-request-id as their true parent and share its sampling decision', () => {
    const { batches, truth } = simulate({ ...base, samplingPercent: 20, requests: 2000, behaviours: { reviews: 'forward-request-id' } });
    const { byId } = indexSpans(batches);
    expect(truth.orphans.length).toBeGreaterThan(0);
    for (const o of truth.orphans) {
      expect(o.requestIdForwarded).toBe(true);
      // The same x-request-id means the same decision: a sampled root always has a sampled parent.
      expect(o.parent.sampled).toBe(true);
      const root = byId.get(`${o.traceId}/${o.spanId}`)!;
      const parent = byId.get(`${o.parent.traceId}/${o.parent.spanId}`)!;
      expect(root.tags['guid:x-request-id']).toBe(parent.tags['guid:x-request-id']);
      expect(o.workload).toBe('reviews');
      expect(o.callee).toBe('ratings');
    }
  });

  it('forward-none under sampling: broken continuations get their own decision, so some orphans have unsampled parents', () => {
    const { batches, truth } = simulate({ ...base, samplingPercent: 30, requests: 2000, behaviours: { productpage: 'forward-none' } });
    const { byId } = indexSpans(batches);
    const unsampled = truth.orphans.filter((o) => !o.parent.sampled);
    expect(unsampled.length).toBeGreaterThan(0);
    for (const o of unsampled) expect(byId.has(`${o.parent.traceId}/${o.parent.spanId}`)).toBe(false);
    for (const o of truth.orphans.filter((x) => x.parent.sampled)) expect(byId.has(`${o.parent.traceId}/${o.parent.spanId}`)).toBe(true);
  });

  it('forward-b3-only keeps the trace under zipkin (with a fresh x-request-id) and breaks it under opentelemetry', () => {
    const behaviours = { reviews: 'forward-b3-only' } as const;
    const zipkin = simulate({ ...base, behaviours });
    expect(zipkin.truth.orphans).toEqual([]);
    expect(zipkin.truth.workloads.find((w) => w.workload === 'reviews')!.breaks).toBe(false);
    const { spans, byId } = indexSpans(zipkin.batches);
    const reviewsClients = spans.filter((s) => s.kind === 'CLIENT' && workloadOf(s) === 'reviews');
    expect(reviewsClients.length).toBeGreaterThan(0);
    for (const c of reviewsClients) {
      const parent = byId.get(`${c.traceId}/${c.parentId!}`)!;
      expect(workloadOf(parent)).toBe('reviews');
      expect(c.tags['guid:x-request-id']).not.toBe(parent.tags['guid:x-request-id']);
    }
    const otel = simulate({ ...base, provider: 'opentelemetry', behaviours });
    expect(otel.truth.orphans.length).toBeGreaterThan(0);
    expect(otel.truth.workloads.find((w) => w.workload === 'reviews')!.breaks).toBe(true);
  });

  it('drop-async breaks only async calls', () => {
    const { truth } = simulate({ ...base, topology: 'social-network', requests: 1000, behaviours: { 'compose-post': 'drop-async', 'text': 'drop-async' } });
    expect(truth.orphans.length).toBeGreaterThan(0);
    expect(truth.orphans.every((o) => o.async && o.workload === 'compose-post')).toBe(true);
    const byName = new Map(truth.workloads.map((w) => [w.workload, w]));
    expect(byName.get('compose-post')!.breaks).toBe(true);
    // text-service makes no async calls, so its behaviour never lost anything.
    expect(byName.get('text')!.breaks).toBe(false);
    expect(byName.get('text')!.outboundCalls).toBeGreaterThan(0);
  });

  it('samples about samplingPercent of gateway traces, with the decision written into x-request-id', () => {
    const requests = 5000;
    const { batches, truth } = simulate({ ...base, samplingPercent: 10, requests, concurrency: 50 });
    const roots = indexSpans(batches).spans.filter((s) => isRoot(s) && isGateway(s));
    expect(roots.length).toBeGreaterThan(requests * 0.1 - 70);
    expect(roots.length).toBeLessThan(requests * 0.1 + 70);
    expect(truth.workloads.find((w) => w.role === 'gateway')!.sampledInboundRequests).toBe(roots.length);
    for (const r of roots) {
      const rid = r.tags['guid:x-request-id']!;
      expect(rid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-9[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(parseInt(rid.slice(0, 8), 16) % 10000).toBeLessThan(1000);
    }
  });

  it('emits nothing at 0% and still counts the traffic', () => {
    const { batches, truth } = simulate({ ...base, samplingPercent: 0 });
    expect(batches).toEqual([]);
    expect(truth.emittedSpans).toBe(0);
    expect(truth.workloads.find((w) => w.workload === 'details')!.inboundRequests).toBeGreaterThan(base.requests);
  });

  it("shifts each pod's timestamps by one constant offset within ±clockSkewMs", () => {
    const straight = indexSpans(simulate(base).batches);
    const skewed = indexSpans(simulate({ ...base, clockSkewMs: 50 }).batches);
    const offsets = new Map<string, Set<number>>();
    for (const s of skewed.spans) {
      const t = straight.byId.get(`${s.traceId}/${s.id}`)!;
      expect(s.duration).toBe(t.duration);
      const set = offsets.get(s.tags['node_id']!) ?? new Set<number>();
      set.add(s.timestamp - t.timestamp);
      offsets.set(s.tags['node_id']!, set);
    }
    expect(offsets.size).toBeGreaterThan(5);
    for (const set of offsets.values()) {
      expect(set.size).toBe(1);
      expect(Math.abs([...set][0]!)).toBeLessThanOrEqual(50_000);
    }
    expect(new Set([...offsets.values()].map((s) => [...s][0])).size).toBe(offsets.size);
  });

  it('keeps the originator\'s roots out of the orphans', () => {
    const { batches, truth } = simulate({ ...base, requests: 1000, behaviours: { productpage: 'forward-none', 'cache-warmer': 'forward-none' } });
    const originator = truth.workloads.find((w) => w.role === 'originator')!;
    expect(originator.workload).toBe('cache-warmer');
    expect(originator.outboundCalls).toBeGreaterThan(3);
    expect(originator.breaks).toBe(false);
    const roots = indexSpans(batches).spans.filter((s) => isRoot(s) && workloadOf(s) === 'cache-warmer');
    expect(roots).toHaveLength(originator.outboundCalls);
    const orphanIds = new Set(truth.orphans.map((o) => o.spanId));
    expect(roots.some((r) => orphanIds.has(r.id))).toBe(false);
    expect(truth.orphans.every((o) => o.workload === 'productpage')).toBe(true);
  });

  it("batches like Envoy: one proxy per batch, at most flushSpans spans, after its spans ended, sorted", () => {
    const { batches } = simulate({ ...base, requests: 500, lateFraction: 0, flushSpans: 5, flushIntervalMs: 1000 });
    let previous = 0;
    for (const b of batches) {
      expect(b.spans.length).toBeGreaterThan(0);
      expect(b.spans.length).toBeLessThanOrEqual(5);
      expect(b.deliverAtUs).toBeGreaterThanOrEqual(previous);
      previous = b.deliverAtUs;
      const lastEnd = Math.max(...b.spans.map((s) => s.timestamp + s.duration));
      expect(b.deliverAtUs).toBeGreaterThan(lastEnd);
      expect(b.deliverAtUs - lastEnd).toBeLessThan(1_000_000 + 3000);
      for (const s of b.spans) expect(s.tags['node_id']).toBe(b.reporter);
    }
    const late = simulate({ ...base, requests: 100, lateFraction: 1 }).batches;
    for (const b of late) expect(b.deliverAtUs - Math.max(...b.spans.map((s) => s.timestamp + s.duration))).toBeGreaterThanOrEqual(2_000_000);
  });

  it('keeps about `concurrency` requests in flight', () => {
    const { batches } = simulate({ ...base, requests: 2000, concurrency: 25, lateFraction: 0 });
    const gatewayServers = indexSpans(batches).spans.filter((s) => isGateway(s) && s.kind === 'SERVER');
    const busy = gatewayServers.reduce((n, s) => n + s.duration, 0);
    const first = Math.min(...gatewayServers.map((s) => s.timestamp));
    const last = Math.max(...gatewayServers.map((s) => s.timestamp + s.duration));
    // Little's law: mean in flight = total busy time / elapsed.
    expect(busy / (last - first)).toBeGreaterThan(22);
    expect(busy / (last - first)).toBeLessThanOrEqual(25);
  });

  it('refuses options it cannot mean', () => {
    expect(() => simulate({ ...base, behaviours: { nope: 'forward-none' } })).toThrow(/no workload 'nope'/);
    expect(() => simulate({ ...base, behaviours: { 'istio-ingressgateway': 'forward-none' } })).toThrow(/gateway/);
    expect(() => simulate({ ...base, samplingPercent: 101 })).toThrow(RangeError);
    expect(() => simulate({ ...base, concurrency: 0 })).toThrow(RangeError);
  });

  it('simulates 20k requests quickly', () => {
    const t0 = performance.now();
    const { truth } = simulate({ ...base, requests: 20_000, concurrency: 50, samplingPercent: 10 });
    expect(truth.emittedSpans).toBeGreaterThan(0);
    expect(performance.now() - t0).toBeLessThan(3000);
  });
});
