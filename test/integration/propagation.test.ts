/**
 * The propagation audit end to end: the mesh simulator plays Bookinfo, with `reviews` dropping
 * the trace headers, into a real meshtrace over both providers' protocols (Zipkin JSON, OTLP
 * protobuf over HTTP); the report API names reviews and its edge to ratings, with evidence, the
 * stitched trace view grafts the fragment back, and the CLI (`report`, `audit`) prints the same.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PropagationReport } from '../../src/propagation-audit/index.js';
import { play, simulate } from '../../src/simulator/index.js';
import type { GroundTruth, Provider } from '../../src/simulator/index.js';
import { ensureBuilt, runCli } from '../helpers/cli.js';
import { eventually, startTestServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';

const MIN_REQUESTS = '50';

async function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = runCli(args);
  const { code } = await run.exited;
  return { code, stdout: run.stdout, stderr: run.stderr };
}

describe.each<Provider>(['zipkin', 'opentelemetry'])('propagation audit over the %s provider', (provider) => {
  let server: TestServer;
  let truth: GroundTruth;

  beforeAll(async () => {
    server = await startTestServer(['--audit-min-requests', MIN_REQUESTS]);
    const sim = simulate({
      topology: 'bookinfo', provider, samplingPercent: 100, concurrency: 4, requests: 300, clockSkewMs: 50,
      behaviours: { reviews: 'forward-none' }, seed: 7, startUs: Date.now() * 1000 - 60_000_000,
    });
    truth = sim.truth;
    const sent = await play(sim.batches, provider, { zipkinUrl: server.zipkin, otlpHttpUrl: server.otlpHttp }, { realtime: false });
    expect(sent.failures).toBe(0);
    // Every trace settled and audited: the report's analyses are cached for a moment, so reads
    // taken while traces still settle could disagree with each other (a graft's best parent moves).
    await eventually(async () => {
      const status = await (await fetch(`${server.api}/api/status`)).json() as { buffer: { bufferedTraces: number } };
      expect(status.buffer.bufferedTraces).toBe(0);
    }, 20_000);
  }, 30_000);
  afterAll(async () => server.close());

  const report = async (query = ''): Promise<PropagationReport> => (await fetch(`${server.api}/api/propagation/report${query}`)).json() as Promise<PropagationReport>;

  it('names the workload that breaks propagation, its edge and the evidence', async () => {
    // Traces settle over a few seconds: wait until all of them count, not just until reviews is judged.
    const r = await eventually(async () => {
      const out = await report();
      expect(out.workloads.find((w) => w.workload === 'reviews')?.verdict).toBe('breaks-propagation');
      for (const healthy of ['productpage', 'details', 'ratings']) {
        expect(out.workloads.find((w) => w.workload === healthy)).toMatchObject({ verdict: 'propagates', gaps: { confirmed: 0, inferred: 0, unattributed: 0 } });
      }
      return out;
    }, 15_000);
    const reviews = r.workloads.find((w) => w.workload === 'reviews')!;
    expect(reviews.gapRatio).toBe(1);
    expect(reviews.gaps.inferred + reviews.gaps.unattributed).toBeGreaterThan(0);
    expect(reviews.evidence.length).toBeGreaterThan(0);
    expect(reviews.headersToForward).toContain(provider === 'zipkin' ? 'x-b3-traceid' : 'traceparent');
    expect(r.edges[0]).toMatchObject({ from: 'default/reviews', to: 'default/ratings', gapRatio: 1 });
    expect(r.workloads[0]!.workload).toBe('reviews'); // worst first
    const truthBreaking = truth.workloads.filter((w) => w.breaks).map((w) => w.workload);
    expect(truthBreaking).toEqual(['reviews']);
  });

  it('serves one workload with its trend and stitches a fragment back into its trace', async () => {
    const res = await fetch(`${server.api}/api/propagation/workloads/default/reviews?window=1h`);
    expect(res.status).toBe(200);
    const detail = await res.json() as { trend: { gaps: number }[]; grafts: { orphanTraceId: string; parentTraceId: string }[] };
    expect(detail.trend.reduce((n, p) => n + p.gaps, 0)).toBeGreaterThan(0);
    expect(detail.grafts.length).toBeGreaterThan(0);
    const graft = detail.grafts[0]!;
    const stitched = await (await fetch(`${server.api}/api/traces/${graft.orphanTraceId}?stitched=true`)).json() as { traceId: string; fragments: string[]; spans: { graft?: unknown; originalTraceId: string }[] };
    expect(stitched.traceId).toBe(graft.parentTraceId);
    expect(stitched.fragments).toContain(graft.orphanTraceId);
    expect(stitched.spans.some((s) => s.graft !== undefined && s.originalTraceId === graft.orphanTraceId)).toBe(true);
  });

  it('rejects bad parameters with a clear 400', async () => {
    for (const q of ['?window=forever', '?namespace=Bad_NS', '?window=30d']) {
      const res = await fetch(`${server.api}/api/propagation/report${q}`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toMatch(/window|namespace/);
    }
    expect((await fetch(`${server.api}/api/propagation/grafts?format=xml`)).status).toBe(400);
    expect((await fetch(`${server.api}/api/traces/${'a'.repeat(32)}?stitched=maybe`)).status).toBe(400);
  });
});

describe('propagation report from the command line', () => {
  let server: TestServer;
  beforeAll(async () => {
    await ensureBuilt();
    server = await startTestServer(['--audit-min-requests', MIN_REQUESTS]);
  });
  afterAll(async () => server.close());

  it('prints the audit of exported span files, offline', async () => {
    const { batches } = simulate({
      topology: 'bookinfo', provider: 'zipkin', samplingPercent: 100, concurrency: 2, requests: 200, clockSkewMs: 0,
      behaviours: { reviews: 'forward-request-id' }, seed: 3, startUs: 1_800_000_000_000_000,
    });
    const dir = await mkdtemp(join(tmpdir(), 'meshtrace-audit-'));
    const file = join(dir, 'spans.json');
    await writeFile(file, JSON.stringify(batches.flatMap((b) => b.spans)));
    const text = await cli(['audit', '--min-requests', MIN_REQUESTS, file]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/default\/reviews\s+breaks-propagation/);
    expect(text.stdout).toContain('confirmed trace');
    const json = await cli(['audit', '--json', file]);
    const r = JSON.parse(json.stdout) as PropagationReport;
    expect(r.workloads.find((w) => w.workload === 'reviews')!.gaps.confirmed).toBeGreaterThan(0);
  });

  it('prints a running server\'s report, and says so clearly when it cannot reach one', async () => {
    const ok = await cli(['report', '--url', server.api]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('No sidecar spans yet');
    const bad = await cli(['report', '--url', 'http://127.0.0.1:1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('cannot reach meshtrace');
  });
});

describe('with --audit false', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(['--audit', 'false']);
  });
  afterAll(async () => server.close());

  it('still collects and serves traces, audits nothing, and says so on every propagation route', async () => {
    const sim = simulate({
      topology: 'bookinfo', provider: 'zipkin', samplingPercent: 100, concurrency: 2, requests: 50, clockSkewMs: 0,
      behaviours: { reviews: 'forward-none' }, seed: 5, startUs: Date.now() * 1000 - 60_000_000,
    });
    const sent = await play(sim.batches, 'zipkin', { zipkinUrl: server.zipkin, otlpHttpUrl: server.otlpHttp }, { realtime: false });
    expect(sent.failures).toBe(0);
    const status = await eventually(async () => {
      const s = await (await fetch(`${server.api}/api/status`)).json() as { buffer: { bufferedSpans: number; settledTraces: number }; audit: { enabled: boolean; tracesObserved: number } };
      expect(s.buffer.settledTraces).toBeGreaterThan(0);
      expect(s.buffer.bufferedSpans).toBe(0);
      return s;
    }, 15_000);
    expect(status.audit).toMatchObject({ enabled: false, tracesObserved: 0 });
    const services = await (await fetch(`${server.zipkin}/api/v2/services`)).json() as string[];
    expect(services.length).toBeGreaterThan(0);
    // A stitched view is the trace as it is: nothing was grafted.
    const traces = await (await fetch(`${server.zipkin}/api/v2/traces?limit=1`)).json() as { traceId: string }[][];
    const traceId = traces[0]![0]!.traceId;
    const view = await (await fetch(`${server.api}/api/traces/${traceId}?stitched=true`)).json() as { traceId: string; stitched?: boolean };
    expect(view.traceId).toBe(traceId);
    expect(view.stitched).toBeUndefined();
    for (const path of ['/api/propagation/report', '/api/propagation/workloads/default/reviews', '/api/propagation/grafts']) {
      const res = await fetch(server.api + path);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { message: string }).message).toContain('--audit false');
    }
    // No audit series at all: an empty audit would report a perfect propagation score.
    const metrics = await (await fetch(`${server.api}/metrics`)).text();
    expect(metrics).toContain('meshtrace_store_spans');
    expect(metrics).not.toContain('meshtrace_propagation_score');
  });
});
