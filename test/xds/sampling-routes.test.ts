import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplingRoutes } from '../../src/server/sampling-routes.js';
import { readDumpFile, startXdsSources, XdsState } from '../../src/xds/index.js';
import type { IntendedInputs } from '../../src/xds/index.js';
import { FIXTURES, fixtureIntendedInputs, fixtureJson, fixtureProxy } from './helpers.js';
import { bigConfigDump } from '../../src/xds/synthetic-dump.js';

const app = Fastify();
const state = new XdsState();
for (const f of ['sidecar-zipkin-reviews-v1-7d9f6c5b8-2xk4p.json', 'sidecar-zipkin-reviews-v1-7d9f6c5b8-9qlmz.json', 'gateway-zipkin.json']) state.put(fixtureProxy(f));
const fixtureCluster = await fixtureIntendedInputs();
/** What a Telemetry/mesh-config watcher would hold; tests swap it between requests. */
let intendedSnapshot: IntendedInputs | undefined = fixtureCluster;

beforeAll(async () => {
  await samplingRoutes(app, {
    state,
    intended: () => intendedSnapshot,
    observed: (k) => (k === 'default/reviews' ? { percentage: 9.5, samples: 300 } : undefined),
  });
});
afterAll(async () => app.close());

describe('GET /api/sampling/*', () => {
  it('serves the effective config per workload and pod', async () => {
    const res = await app.inject({ url: '/api/sampling/effective?namespace=default' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.workloads.map((w: { key: string }) => w.key)).toEqual(['default/reviews']);
    expect(body.workloads[0].proxies.map((p: { percentage: number }) => p.percentage)).toEqual([10, 1]);
    expect(body.workloads[0].proxies[0].hcms).toBeUndefined();
    const withListeners = (await app.inject({ url: '/api/sampling/effective?workload=istio-ingressgateway&listeners=true' })).json();
    expect(withListeners.workloads[0].proxies[0].hcms[0].spawnUpstreamSpan).toBe(true);
  });

  it('serves the drift report with counts and filters', async () => {
    const body = (await app.inject({ url: '/api/sampling/drift' })).json();
    expect(body.counts).toEqual({ 'stale-proxy': 1, overridden: 0, 'tracing-disabled': 0, 'provider-mismatch': 0, 'pods-disagree': 1 });
    const reviews = body.workloads.find((w: { key: string }) => w.key === 'default/reviews');
    expect(reviews.observed).toEqual({ percentage: 9.5, samples: 300 });
    const only = (await app.inject({ url: '/api/sampling/drift?kind=pods-disagree' })).json();
    expect(only.workloads.map((w: { key: string }) => w.key)).toEqual(['default/reviews']);
  });

  it('resolves intended rates with Istio\'s precedence from the current Telemetries and mesh config', async () => {
    const byKey = async (): Promise<Record<string, { intended?: { percentage: number; sources: { ref: string; effect: string }[] }; findings: { kind: string }[] }>> =>
      Object.fromEntries((await app.inject({ url: '/api/sampling/drift' })).json().workloads.map((w: { key: string }) => [w.key, w]));
    const before = await byKey();
    expect(before['default/reviews']!.intended).toMatchObject({ percentage: 10 });
    expect(before['default/reviews']!.intended!.sources.find((s) => s.effect === 'decides')!.ref).toBe('default/ns-default');
    expect(before['istio-system/istio-ingressgateway']!.intended).toMatchObject({ percentage: 5 }); // meshConfig.defaultConfig, what it runs

    // Someone edits the namespace Telemetry to 1%: now the other reviews pod is the stale one.
    intendedSnapshot = { ...fixtureCluster, telemetries: fixtureCluster.telemetries.map((t) => (t.metadata.name === 'ns-default' ? { ...t, spec: { tracing: [{ randomSamplingPercentage: 1 }] } } : t)) };
    try {
      const after = (await app.inject({ url: '/api/sampling/drift?kind=stale-proxy' })).json();
      expect(after.workloads.map((w: { findings: { proxies: string[] }[] }) => w.findings[0]!.proxies)).toEqual([['sidecar~10.244.1.17~reviews-v1-7d9f6c5b8-2xk4p.default~default.svc.cluster.local']]);
      intendedSnapshot = undefined; // nothing known about what Istio was asked for: no intended, so nothing is stale
      const unknown = (await app.inject({ url: '/api/sampling/drift' })).json();
      expect(unknown.counts['stale-proxy']).toBe(0);
      expect(unknown.workloads.every((w: { intended?: unknown }) => w.intended === undefined)).toBe(true);
    } finally {
      intendedSnapshot = fixtureCluster;
    }
  });

  it.each([
    ['/api/sampling/effective?namespace=Bad_NS', /namespace must be a Kubernetes name/],
    ['/api/sampling/effective?listeners=yes', /listeners must be true or false/],
    ['/api/sampling/drift?kind=stale', /kind must be one of/],
    ['/api/sampling/drift?workload=-x', /workload must be a Kubernetes name/],
  ])('answers 400 for %s', async (url, message) => {
    const res = await app.inject({ url });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(message);
  });
});

describe('big and bad dumps', () => {
  const dir = mkdtempSync(join(tmpdir(), 'meshtrace-xds-'));

  it('refuses a 50 MB dump with a clear error, before reading it', async () => {
    const path = join(dir, 'huge.json');
    writeFileSync(path, bigConfigDump(50 * 1024 * 1024));
    const r = await readDumpFile(path);
    expect(r).toEqual({ ok: false, error: expect.stringMatching(/huge\.json: config dump of 5\d\.\d MiB is over the 32\.0 MiB limit/) });
  });

  it('parses a 20 MB dump in a worker while the server keeps answering', async () => {
    const path = join(dir, 'big.json');
    writeFileSync(path, bigConfigDump(20 * 1024 * 1024));
    const s = new XdsState();
    const lags: number[] = [];
    let last = Date.now();
    const probe = setInterval(() => { const now = Date.now(); lags.push(now - last); last = now; }, 10);
    const sources = startXdsSources(s, { configDumps: [path], refreshMs: 60_000 });
    await sources.refresh();
    clearInterval(probe);
    sources.stop();
    expect(s.errors).toEqual({});
    expect(s.proxies()[0]!.hcms.length).toBeGreaterThan(100);
    // The 10 ms probe kept firing while the dump was parsed: the parse ran beside the event loop,
    // not on it. (How long the loop was blocked is measured by the bench, not asserted here.)
    expect(lags.length).toBeGreaterThan(5);
  });

  it('reports truncated and non-dump files per source and keeps the good ones', async () => {
    const s = new XdsState();
    const good = join(FIXTURES, 'gateway-zipkin.json');
    const notDump = join(dir, 'not-dump.json');
    writeFileSync(notDump, JSON.stringify({ kind: 'Pod' }));
    const sources = startXdsSources(s, { configDumps: [good, join(FIXTURES, 'bad-truncated.json'), notDump, join(dir, 'missing.json')], refreshMs: 60_000 });
    await sources.refresh();
    sources.stop();
    expect(s.proxies().map((p) => p.proxy.workload)).toEqual(['istio-ingressgateway']);
    expect(Object.values(s.errors)).toEqual([
      expect.stringMatching(/bad-truncated\.json: not JSON/), expect.stringMatching(/not-dump\.json: not an Envoy config dump/), expect.stringMatching(/missing\.json: ENOENT/),
    ]);
  });
});

describe('istiod HTTP debug endpoints', () => {
  let server: Server;
  let base = '';
  const dump = JSON.stringify(fixtureJson('sidecar-zipkin-reviews-v1-7d9f6c5b8-2xk4p.json'));

  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/debug/syncz') {
        res.end(JSON.stringify([
          { proxy: 'reviews-v1-7d9f6c5b8-2xk4p.default', proxy_type: 'sidecar', istio_version: '1.22.3', listener_sent: 'abc', listener_acked: 'abc' },
          { proxy: 'huge-1.default', listener_sent: 'x', listener_acked: 'w' },
        ]));
      } else if (url.pathname === '/debug/config_dump' && url.searchParams.get('proxyID') === 'reviews-v1-7d9f6c5b8-2xk4p.default') {
        res.end(dump);
      } else if (url.pathname === '/debug/config_dump') {
        res.write('{"configs": [');
        const chunk = ' '.repeat(1024 * 1024);
        let sent = 0;
        const more = (): void => { if (sent++ < 40 && !res.destroyed) res.write(chunk, more); else res.end(); };
        more();
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('lists proxies from syncz, fetches their dumps, and cuts off bodies over the limit', async () => {
    const s = new XdsState();
    const sources = startXdsSources(s, { istiod: { baseUrl: base, maxBytes: 8 * 1024 * 1024 }, refreshMs: 60_000 });
    await sources.refresh();
    sources.stop();
    expect(s.proxies().map((p) => [p.proxy.workload, p.source, p.percentage])).toEqual([['reviews', 'istiod', 10]]);
    expect(s.syncOf('huge-1.default')).toMatchObject({ listenerSent: 'x', listenerAcked: 'w' });
    expect(s.errors['istiod']).toMatch(/1 proxies unreadable; first: .*huge-1\.default: body is over the 8\.0 MiB limit/);
  });

  it('records an unreachable istiod as an error', async () => {
    const s = new XdsState();
    const sources = startXdsSources(s, { istiod: { baseUrl: 'http://127.0.0.1:1', timeoutMs: 1000 }, refreshMs: 60_000 });
    await sources.refresh();
    sources.stop();
    expect(s.errors['istiod']).toMatch(/127\.0\.0\.1:1/);
  });
});
