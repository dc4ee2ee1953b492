import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { DecodeContext } from '../ingest/index.js';
import { decodeZipkinJson } from '../zipkin-ingest/index.js';
import { BufferedStoreReader, MemoryTraceStore, TraceAssembler } from '../traces/index.js';
import { DEFAULT_AUTOCOMPLETE_KEYS, zipkinReadApi } from './plugin.js';
import type { ZipkinReadApiOptions } from './plugin.js';

const NOW_MS = 1_700_000_000_000;
/** One minute before "now", in µs. */
const T = (NOW_MS - 60_000) * 1000;
const A = '463ac35c9f6413ad'; // 64-bit id
const B = '4bf92f3577b34da6a3ce929d0e0e4736';
const C = 'c0ffee0000000000c0ffee0000000001';

const sidecar = (ns: string, svc: string) => ({ serviceName: `${svc}.${ns}`, ipv4: '10.0.0.1' });

/** Istio-like: productpage's inbound SERVER, its outbound CLIENT, and the callee's inbound SERVER. */
interface MeshTraceSpec { traceId: string; start: number; callee: string; rootName: string; rootUs: number; failed: boolean }

function meshTrace({ traceId, start, callee, rootName, rootUs, failed }: MeshTraceSpec): unknown[] {
  const p = traceId.slice(-15);
  return [
    { traceId, id: `1${p}`, kind: 'SERVER', name: rootName, timestamp: start, duration: rootUs, localEndpoint: sidecar('default', 'ProductPage'),
      tags: { 'http.method': 'GET', 'upstream_cluster': 'inbound|9080||', 'response_flags': '-', 'istio.namespace': 'default' } },
    { traceId, id: `2${p}`, parentId: `1${p}`, kind: 'CLIENT', name: `${callee}.default.svc.cluster.local:9080/*`, timestamp: start + 1000,
      duration: rootUs / 2, localEndpoint: sidecar('default', 'productpage'),
      tags: { 'http.method': 'GET', 'upstream_cluster': `outbound|9080||${callee}.default.svc.cluster.local`,
        ...(failed ? { 'response_flags': 'UH', 'error': 'true', 'http.status_code': '503' } : { 'response_flags': '-' }) } },
    { traceId, id: `3${p}`, parentId: `2${p}`, kind: 'SERVER', name: `${callee}.default.svc.cluster.local:9080/*`, timestamp: start + 2000,
      duration: rootUs / 4, localEndpoint: sidecar('default', callee), annotations: failed ? undefined : [{ timestamp: start + 2100, value: 'ws' }],
      tags: { 'http.method': 'GET', 'upstream_cluster': 'inbound|9080||' } },
  ];
}

const FIXTURE: unknown[] = [
  ...meshTrace({ traceId: A, start: T, callee: 'reviews', rootName: 'GET /ProductPage', rootUs: 100_000, failed: true }),
  ...meshTrace({ traceId: B, start: T - 600_000_000, callee: 'ratings', rootName: 'GET /api/v1/products', rootUs: 80_000, failed: false }),
  // An SDK trace two hours back: a CLIENT whose callee never reported (no hop), a remote endpoint instead.
  { traceId: C, id: 'c1', kind: 'SERVER', name: 'POST /checkout', timestamp: T - 7_200_000_000, duration: 5000,
    localEndpoint: { serviceName: 'Frontend' }, tags: { 'http.method': 'POST' } },
  { traceId: C, id: 'c2', parentId: 'c1', kind: 'CLIENT', name: 'charge', timestamp: T - 7_199_999_000, duration: 3000,
    localEndpoint: { serviceName: 'Frontend' }, remoteEndpoint: { serviceName: 'Backend' } },
];

async function buildApp(extra: Partial<ZipkinReadApiOptions> = {}): Promise<{ app: FastifyInstance; assembler: TraceAssembler; ctx: DecodeContext }> {
  const ctx = new DecodeContext();
  const { spans, rejected } = decodeZipkinJson(FIXTURE, ctx);
  expect(rejected).toEqual([]);
  const store = new MemoryTraceStore({ retentionMs: 3_600_000, maxSpans: 1_000_000 });
  const assembler = new TraceAssembler({ settleMs: 10_000, maxBufferedSpans: 200_000, maxTraceAgeMs: 60_000, store, now: () => NOW_MS });
  assembler.accept(spans);
  assembler.settleAll();
  const app = Fastify();
  await app.register(zipkinReadApi, { reader: new BufferedStoreReader(store, assembler), now: () => NOW_MS, ...extra });
  return { app, assembler, ctx };
}

let app: FastifyInstance;
let assembler: TraceAssembler;
let ctx: DecodeContext;
beforeAll(async () => ({ app, assembler, ctx } = await buildApp()));
afterAll(async () => app.close());

async function get(url: string): Promise<{ status: number; body: string; json: unknown; type: string }> {
  const res = await app.inject({ method: 'GET', url });
  const type = String(res.headers['content-type']);
  return { status: res.statusCode, body: res.body, json: type.startsWith('application/json') ? res.json() : undefined, type };
}

/** Trace ids of a `/traces` or `/traceMany` answer, in order. */
async function traceIds(url: string): Promise<string[]> {
  const res = await get(url);
  expect(res.status, res.body).toBe(200);
  return (res.json as { traceId: string }[][]).map((t) => t[0]!.traceId);
}

describe('names', () => {
  it('lists lowercased local service names, sorted, as JSON', async () => {
    const res = await get('/api/v2/services');
    expect(res.type).toMatch(/^application\/json/);
    expect(res.json).toEqual(['frontend', 'productpage.default', 'ratings.default', 'reviews.default']);
  });

  it('lists one service\'s span names, case-insensitively', async () => {
    expect((await get('/api/v2/spans?serviceName=ProductPage.Default')).json).toEqual([
      'get /api/v1/products', 'get /productpage', 'ratings.default.svc.cluster.local:9080/*', 'reviews.default.svc.cluster.local:9080/*',
    ]);
    expect((await get('/api/v2/spans?serviceName=nobody')).json).toEqual([]);
  });

  it('lists remote services from remote endpoints and from mesh upstream clusters', async () => {
    expect((await get('/api/v2/remoteServices?serviceName=productpage.default')).json)
      .toEqual(['ratings.default.svc.cluster.local', 'reviews.default.svc.cluster.local']);
    expect((await get('/api/v2/remoteServices?serviceName=frontend')).json).toEqual(['backend']);
  });

  it.each(['/api/v2/spans', '/api/v2/remoteServices', '/api/v2/spans?serviceName='])('%s without serviceName is a 400', async (url) => {
    const res = await get(url);
    expect(res.status).toBe(400);
    expect(res.body).toBe('serviceName is required');
    expect(res.type).toMatch(/^text\/plain/);
  });
});

describe('GET /api/v2/traces', () => {
  it('returns traces in the default one-day window, newest first, as arrays of Zipkin spans', async () => {
    const res = await get('/api/v2/traces');
    const traces = res.json as { traceId: string; localEndpoint?: { serviceName: string } }[][];
    expect(traces.map((t) => t.length)).toEqual([3, 3, 2]);
    expect(traces.map((t) => t[0]!.traceId)).toEqual([A, B, C]);
    expect(traces[0]!.every((s) => s.traceId === A)).toBe(true);
    expect(traces[0]![0]!.localEndpoint).toEqual({ serviceName: 'productpage.default', ipv4: '10.0.0.1' });
  });

  it.each([
    ['serviceName=ProductPage.Default', [A, B]],
    ['serviceName=frontend&spanName=all', [C]],
    ['spanName=GET%20/ProductPage', [A]],
    ['remoteServiceName=reviews.default.svc.cluster.local', [A]],
    ['remoteServiceName=Backend', [C]],
    ['annotationQuery=error', [A]],
    ['annotationQuery=http.method%3DGET%20and%20response_flags%3DUH', [A]],
    ['annotationQuery=ws', [B]],
    ['annotationQuery=http.method%3DPOST', [C]],
    ['minDuration=90000', [A]],
    ['minDuration=60000&maxDuration=90000', [B]],
    ['lookback=3600000', [A, B]],
    [`endTs=${NOW_MS - 3_600_000}`, [C]],
    [`endTs=${NOW_MS - 3_600_000}&lookback=60000`, []],
    ['limit=1', [A]],
    ['serviceName=nobody', []],
  ])('?%s', async (query, expected) => {
    expect(await traceIds(`/api/v2/traces?${query}`)).toEqual(expected);
  });

  it.each([
    ['limit=0', 'limit must be a positive integer, got "0"'],
    ['limit=1&limit=2', 'limit must be given once'],
    ['minDuration=abc', 'minDuration must be a non-negative integer, got "abc"'],
    ['minDuration=10&maxDuration=5', 'maxDuration (5) must not be less than minDuration (10)'],
    ['endTs=soon', 'endTs must be a positive integer, got "soon"'],
    ['lookback=0', 'lookback must be a positive integer, got "0"'],
  ])('?%s is a 400', async (query, message) => {
    const res = await get(`/api/v2/traces?${query}`);
    expect(res.status).toBe(400);
    expect(res.body).toBe(message);
  });
});

describe('GET /api/v2/trace/:traceId', () => {
  it('serves a 64-bit trace back with its 16-hex id, whichever width was asked for', async () => {
    for (const id of [A, A.toUpperCase(), `0000000000000000${A}`]) {
      const res = await get(`/api/v2/trace/${id}`);
      expect(res.status).toBe(200);
      const spans = res.json as { traceId: string; id: string }[];
      expect(spans.map((s) => s.traceId)).toEqual([A, A, A]);
    }
  });

  it('serves each span in Zipkin shape', async () => {
    const spans = (await get(`/api/v2/trace/${B}`)).json as Record<string, unknown>[];
    expect(spans[1]).toEqual({
      traceId: B, id: '23ce929d0e0e4736', parentId: '13ce929d0e0e4736', kind: 'CLIENT',
      name: 'ratings.default.svc.cluster.local:9080/*', timestamp: T - 600_000_000 + 1000, duration: 40_000,
      localEndpoint: { serviceName: 'productpage.default', ipv4: '10.0.0.1' },
      tags: { 'http.method': 'GET', 'upstream_cluster': 'outbound|9080||ratings.default.svc.cluster.local', 'response_flags': '-' },
    });
  });

  it('is a 404 with Zipkin\'s text body for an unknown trace', async () => {
    const res = await get('/api/v2/trace/00000000000000000000000000000bad');
    expect(res.status).toBe(404);
    expect(res.body).toBe('00000000000000000000000000000bad not found');
    expect((await get('/api/v2/trace/0000000000000bad')).body).toBe('0000000000000bad not found');
  });

  it.each(['not-hex', '00000000000000000000000000000000', `${B}ff`])('is a 400 for %s', async (id) => {
    const res = await get(`/api/v2/trace/${id}`);
    expect(res.status).toBe(400);
    expect(res.body).toMatch(/is not a trace id/);
  });

  it('finds a trace that has not settled yet', async () => {
    const late = decodeZipkinJson([{ traceId: 'abcdef0123456789', id: '1', name: 'pending', timestamp: T }], ctx);
    assembler.accept(late.spans);
    expect((await get('/api/v2/trace/abcdef0123456789')).json).toEqual([
      { traceId: 'abcdef0123456789', id: '0000000000000001', name: 'pending', timestamp: T },
    ]);
    assembler.settleAll();
  });
});

describe('GET /api/v2/traceMany', () => {
  it('returns the traces found, skipping unknown ids', async () => {
    expect(await traceIds(`/api/v2/traceMany?traceIds=${A},${B},0000000000000bad`)).toEqual([A, B]);
  });

  it.each(['', '?traceIds=', `?traceIds=${A},zz`])('is a 400 for %j', async (query) => {
    expect((await get(`/api/v2/traceMany${query}`)).status).toBe(400);
  });
});

describe('GET /api/v2/dependencies', () => {
  it('links client services to server services from hops, counting errors', async () => {
    expect((await get(`/api/v2/dependencies?endTs=${NOW_MS}`)).json).toEqual([
      { parent: 'productpage.default', child: 'ratings.default', callCount: 1, errorCount: 0 },
      { parent: 'productpage.default', child: 'reviews.default', callCount: 1, errorCount: 1 },
    ]);
  });

  it('only counts traces in the window', async () => {
    expect((await get(`/api/v2/dependencies?endTs=${NOW_MS}&lookback=300000`)).json).toEqual([
      { parent: 'productpage.default', child: 'reviews.default', callCount: 1, errorCount: 1 },
    ]);
    expect((await get(`/api/v2/dependencies?endTs=${NOW_MS - 3_600_000}`)).json).toEqual([]);
  });

  it('requires endTs', async () => {
    const res = await get('/api/v2/dependencies');
    expect(res.status).toBe(400);
    expect(res.body).toMatch(/^endTs is required/);
  });
});

describe('autocomplete', () => {
  it('lists the default keys, or the configured ones', async () => {
    expect((await get('/api/v2/autocompleteKeys')).json).toEqual(DEFAULT_AUTOCOMPLETE_KEYS);
    const custom = await buildApp({ autocompleteKeys: ['http.route'] });
    expect((await custom.app.inject('/api/v2/autocompleteKeys')).json()).toEqual(['http.route']);
    await custom.app.close();
  });

  it('lists a tag\'s distinct values, sorted', async () => {
    expect((await get('/api/v2/autocompleteValues?key=http.method')).json).toEqual(['GET', 'POST']);
    expect((await get('/api/v2/autocompleteValues?key=response_flags')).json).toEqual(['-', 'UH']);
    expect((await get('/api/v2/autocompleteValues?key=no.such.tag')).json).toEqual([]);
  });

  it('requires key', async () => {
    const res = await get('/api/v2/autocompleteValues');
    expect(res.status).toBe(400);
    expect(res.body).toBe('key is required');
  });
});
