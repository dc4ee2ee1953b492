/**
 * Reports add up per-bucket tallies that pods cache between requests. Whatever arrives between
 * two reports (new traffic, late traces landing in old buckets, pruning), a report must equal
 * one computed from scratch over the same observations, and count exactly what its window holds.
 */
import { describe, expect, it } from 'vitest';
import { BASE_US, inbound, outbound, sid, tid } from '../../test/helpers/mesh-spans.js';
import type { Span } from '../model/index.js';
import { PropagationAuditor } from './auditor.js';
import { analyze } from './report.js';
import type { ReportQuery } from './report.js';

const front = { workload: 'frontend' };
const front2 = { workload: 'frontend', pod: 'frontend-v1-xyz89' };
const back = { workload: 'backend' };

/** Request ids without Envoy's sampled marker: the audit then estimates from the pods' busy time how often parents are recorded. */
const uuid = (n: number): string => `${n.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;

/** A small deterministic generator, so a failure names a reproducible case. */
function prng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x * 1664525 + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

interface Generated { readonly traces: Span[][]; readonly frontendRequestStartsMs: number[] }

/**
 * Frontend requests over about three minutes, a few of them long enough to span buckets; a third
 * forward context, a third only the request id, a third nothing.
 */
function traffic(seed: number, requests: number): Generated {
  const rand = prng(seed);
  const traces: Span[][] = [];
  const starts: number[] = [];
  for (let n = 1; n <= requests; n++) {
    const startMs = Math.floor(n * 180 + rand() * 120);
    const pod = rand() < 0.5 ? front : front2;
    const rid = uuid(n);
    const req = inbound(pod, { traceId: tid(n * 10 + 1), id: sid(n * 10 + 1), parentId: sid(n * 10), startMs, durationMs: rand() < 0.02 ? 12_000 : 5 + Math.floor(rand() * 40), requestId: rid });
    starts.push(startMs);
    const mode = rand();
    const call = { startMs: startMs + 1 + Math.floor(rand() * 3), durationMs: 2 };
    if (rand() < 0.1) traces.push([req]); // a request that makes no call
    else if (mode < 0.33) traces.push([req, outbound(pod, 'backend', { traceId: tid(n * 10 + 1), id: sid(n * 10 + 2), parentId: sid(n * 10 + 1), ...call, requestId: rid })]);
    else {
      traces.push([req]);
      const lost = outbound(pod, 'backend', { traceId: tid(n * 10 + 2), id: sid(n * 10 + 3), ...call, requestId: mode < 0.66 ? rid : uuid(n + 1_000_000) });
      traces.push([lost, inbound(back, { traceId: tid(n * 10 + 2), id: sid(n * 10 + 4), parentId: sid(n * 10 + 3), startMs: call.startMs + 1, durationMs: 1 })]);
    }
  }
  return { traces, frontendRequestStartsMs: starts };
}

/** Windows with edges inside buckets, on bucket edges, and everything. */
const windows: ReportQuery[] = [
  { fromUs: 0, toUs: Number.MAX_SAFE_INTEGER },
  { fromUs: BASE_US + 7_300_000, toUs: BASE_US + 95_123_000 },
  { fromUs: BASE_US + 20_000_000, toUs: BASE_US + 120_000_000 },
  { fromUs: BASE_US + 59_999_999, toUs: BASE_US + 60_000_001 },
];

function shuffledBatches(traces: Span[][], seed: number, size: number): Span[][][] {
  const rand = prng(seed);
  const batches: Span[][][] = [];
  for (let i = 0; i < traces.length; i += size) batches.push(traces.slice(i, i + size));
  // Some batches arrive late: their buckets were tallied already.
  for (let i = batches.length - 1; i > 0; i--) {
    if (rand() < 0.3) {
      const j = Math.floor(rand() * (i + 1));
      [batches[i], batches[j]] = [batches[j]!, batches[i]!];
    }
  }
  return batches;
}

describe('reports from cached bucket tallies', () => {
  it.each([1, 2, 3])('equal a report computed once over the same observations, whatever arrives between reports (seed %i)', (seed) => {
    const { traces } = traffic(seed, 900);
    const live = new PropagationAuditor({ minRequests: 1, minGaps: 1 });
    const once = new PropagationAuditor({ minRequests: 1, minGaps: 1 });
    let batchNo = 0;
    for (const batch of shuffledBatches(traces, seed, 40)) {
      for (const t of batch) {
        live.observe(t);
        once.observe(t);
      }
      // Both resolve at the same moments (resolution order decides claims); only `live` reports,
      // and warms its tallies between reports as the server does, sometimes with too little time.
      for (const q of windows) analyze(live, q);
      live.warm(batchNo++ % 3 === 0 ? 0 : 1000);
      once.resolvePending();
    }
    for (const q of windows) {
      const a = analyze(live, q);
      const b = analyze(once, q);
      expect(a.report).toEqual(b.report);
      expect(a.grafts).toEqual(b.grafts);
    }
  });

  it('stays equal after old observations are pruned', () => {
    const { traces } = traffic(4, 900);
    const live = new PropagationAuditor({ minRequests: 1, minGaps: 1 });
    for (const t of traces) live.observe(t);
    for (const q of windows) analyze(live, q);
    live.prune(BASE_US + 3_600_000_000 + 61_500_000);
    const once = new PropagationAuditor({ minRequests: 1, minGaps: 1 });
    for (const t of traces) once.observe(t);
    once.prune(BASE_US + 3_600_000_000 + 61_500_000);
    for (const q of windows) expect(analyze(live, q).report).toEqual(analyze(once, q).report);
    expect(analyze(live, windows[0]!).report.workloads.find((w) => w.workload === 'frontend')!.requests).toBeLessThan(900);
  });

  it('prunes a step at a time to the same state as all at once, and ignores observations older than the cutoff', () => {
    const { traces } = traffic(6, 900);
    const stepwise = new PropagationAuditor({ minRequests: 1, minGaps: 1 });
    const once = new PropagationAuditor({ minRequests: 1, minGaps: 1 });
    for (const t of traces) {
      stepwise.observe(t);
      once.observe(t);
    }
    // Resolved at the same moment (resolution order decides claims).
    stepwise.resolvePending();
    once.resolvePending();
    const hour = 3_600_000_000;
    for (let s = 1; s <= 12; s++) {
      stepwise.prune(BASE_US + hour + s * 10_000_000);
      analyze(stepwise, windows[0]!);
    }
    once.prune(BASE_US + hour + 120_000_000);
    // Late traces from before the cutoff: counted by neither.
    for (const t of traces.slice(0, 50)) stepwise.observe(t);
    for (const t of traces.slice(0, 50)) once.observe(t);
    expect(stepwise.observationsHeld).toBe(once.observationsHeld);
    for (const q of windows) expect(analyze(stepwise, q).report.workloads).toEqual(analyze(once, q).report.workloads);
  });

  it('counts exactly the requests that started inside a window whose edges fall inside buckets', () => {
    const { traces, frontendRequestStartsMs } = traffic(5, 900);
    const auditor = new PropagationAuditor({ minRequests: 1, minGaps: 1 });
    for (const t of traces) auditor.observe(t);
    for (const q of windows) {
      const expected = frontendRequestStartsMs.filter((ms) => BASE_US + ms * 1000 >= q.fromUs && BASE_US + ms * 1000 < q.toUs).length;
      const frontend = analyze(auditor, q).report.workloads.find((w) => w.workload === 'frontend');
      expect(frontend?.requests ?? 0).toBe(expected);
    }
  });
});
