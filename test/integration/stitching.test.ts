/**
 * Trace stitching end to end: Envoy-like sidecar batches (bench/envoy-spans.ts) sent as Zipkin
 * JSON and as Zipkin proto in Envoy's byte order come back from `/api/traces/:id` with every
 * CLIENT paired to its SERVER child; spans arriving after a trace settled are merged into it; and
 * recorded payloads from ../shared/fixtures decode to the expected trees.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zipkinJson, zipkinProto } from '../../bench/encode.js';
import { envoyBatches } from '../../bench/envoy-spans.js';
import type { ZipkinJsonSpan } from '../../bench/envoy-spans.js';
import { hasSharedFixtures, sharedFixture } from '../helpers/shared.js';
import { eventually, post, startTestServer, stitchedTrace, zipkinTrace } from '../helpers/server.js';
import type { TestServer, TraceViewOut } from '../helpers/server.js';

function byTrace(spans: ZipkinJsonSpan[]): Map<string, ZipkinJsonSpan[]> {
  const traces = new Map<string, ZipkinJsonSpan[]>();
  for (const s of spans) traces.set(s.traceId, [...(traces.get(s.traceId) ?? []), s]);
  return traces;
}

/** Every sent CLIENT span is one hop to its SERVER child, caller and callee from istio.canonical_service. */
function expectStitched(view: TraceViewOut, sent: ZipkinJsonSpan[]): void {
  expect(view.spans.map((s) => s.id).sort()).toEqual(sent.map((s) => s.id).sort());
  const clients = sent.filter((s) => s.kind === 'CLIENT');
  expect(view.hops).toHaveLength(clients.length);
  expect(view.unpairedClients).toBe(0);
  expect(view.orphans).toEqual([]);
  expect(view.roots).toHaveLength(1);
  expect(view.spans[view.roots[0]!]!.parentId).toBeUndefined();
  for (const client of clients) {
    const server = sent.find((s) => s.parentId === client.id && s.kind === 'SERVER')!;
    const hop = view.hops.find((h) => view.spans[h.clientIndex]!.id === client.id);
    expect(hop, `hop for client ${client.id}`).toBeDefined();
    const servedBy = view.spans[hop!.serverIndex]!;
    expect(servedBy).toMatchObject({ id: server.id, kind: 'SERVER', parentId: client.id });
    expect(servedBy.parentIndex).toBe(hop!.clientIndex);
    expect(hop).toMatchObject({
      caller: client.tags['istio.canonical_service'], callee: server.tags['istio.canonical_service'],
      callerNamespace: 'default', calleeNamespace: 'default', gapUs: client.duration - server.duration,
    });
    expect(view.spans[hop!.clientIndex]).toMatchObject({ proxyRole: 'sidecar-outbound', workload: client.tags['istio.canonical_service'] });
    expect(servedBy).toMatchObject({ proxyRole: 'sidecar-inbound', workload: server.tags['istio.canonical_service'] });
  }
}

describe('stitching Envoy sidecar traces', () => {
  let server: TestServer;
  beforeAll(async () => { server = await startTestServer(); });
  afterAll(async () => { await server.close(); });

  const cases = [
    { name: 'Zipkin JSON', seed: 3, encode: (b: ZipkinJsonSpan[]) => zipkinJson(b), contentType: 'application/json' },
    { name: 'Zipkin proto, Envoy byte order', seed: 4, encode: (b: ZipkinJsonSpan[]) => zipkinProto(b, true), contentType: 'application/x-protobuf' },
  ];
  for (const c of cases) {
    it(`pairs every CLIENT with its SERVER child (${c.name})`, async () => {
      // One batch per sidecar, as Envoy flushes: a trace's spans arrive in several requests.
      const batches = envoyBatches(80, 80, c.seed);
      expect(batches.length).toBeGreaterThan(1);
      for (const batch of batches) {
        const res = await post(`${server.zipkin}/api/v2/spans`, c.encode(batch), { 'content-type': c.contentType });
        expect(res.status, res.text).toBe(202);
      }
      const traces = byTrace(batches.flat());
      expect(traces.size).toBeGreaterThan(5);
      expect([...traces.values()].some((t) => t.length >= 4)).toBe(true);
      for (const [traceId, sent] of traces) expectStitched(await stitchedTrace(server, traceId, sent.length), sent);
    });
  }

  it('merges spans that arrive after the trace settled, and warns about them', async () => {
    const [traceId, sent] = [...byTrace(envoyBatches(200, 200, 5).flat())].find(([, spans]) => spans.length >= 4)!;
    // The first hop (root CLIENT and its SERVER) now, the deeper hops after the trace settled.
    const root = sent.find((s) => s.parentId === undefined)!;
    const early = sent.filter((s) => s === root || s.parentId === root.id);
    const late = sent.filter((s) => !early.includes(s));
    expect(early).toHaveLength(2);
    expect((await post(`${server.zipkin}/api/v2/spans`, zipkinJson(early))).status).toBe(202);
    expect(server.running.store.get(traceId)).toBeUndefined();
    // Settles once quiet for the 1s settle period (checked every second).
    await eventually(() => expect(server.running.store.get(traceId)).toBeDefined(), 5000, 50);
    expect(server.running.store.get(traceId)!.lateSpans).toBe(0);

    expect((await post(`${server.zipkin}/api/v2/spans`, zipkinJson(late))).status).toBe(202);
    await eventually(() => expect(server.running.store.get(traceId)?.lateSpans).toBe(late.length));
    expect(server.running.assembler.stats().bufferedSpans).toBe(0);
    const view = await stitchedTrace(server, traceId, sent.length);
    expectStitched(view, sent);
    expect(view.warnings).toContainEqual(expect.objectContaining({ code: 'late-spans', message: expect.stringMatching(new RegExp(`^${late.length} spans`)) }));
  });
});

describe.skipIf(!hasSharedFixtures)('recorded payloads from ../shared/fixtures', () => {
  let server: TestServer;
  beforeAll(async () => { server = await startTestServer(); });
  afterAll(async () => { await server.close(); });

  it('envoy-root-server-shared.json: one root SERVER span', async () => {
    const body = sharedFixture('zipkin/envoy-root-server-shared.json');
    expect((await post(`${server.zipkin}/api/v2/spans`, body)).status).toBe(202);
    const view = await stitchedTrace(server, '978883983d506fa5');
    expect(view.spans).toHaveLength(1);
    expect(view.spans[0]).toMatchObject({ id: '978883983d506fa5', kind: 'SERVER', shared: true, name: 'localhost:10000', parentIndex: -1 });
    expect(view.spans[0]!.parentId).toBeUndefined();
    expect(view.roots).toEqual([0]);
    expect(view.orphans).toEqual([]);
    expect(view.hops).toEqual([]);
    expect(view.warnings.filter((w) => w.code === 'orphan')).toEqual([]);
    const zipkin = await zipkinTrace(server, '978883983d506fa5');
    expect(zipkin).toEqual([expect.objectContaining({ traceId: '978883983d506fa5', id: '978883983d506fa5', kind: 'SERVER', shared: true })]);
  });

  it('generic-client.json: one CLIENT orphan whose parent never arrived', async () => {
    const body = sharedFixture('zipkin/generic-client.json');
    expect((await post(`${server.zipkin}/api/v2/spans`, body)).status).toBe(202);
    const view = await stitchedTrace(server, '4d1e00c0db9010db86154a4ba6e91385');
    expect(view.spans).toHaveLength(1);
    expect(view.spans[0]).toMatchObject({ id: '4d1e00c0db9010db', parentId: '86154a4ba6e91385', kind: 'CLIENT', name: 'get', parentIndex: -1 });
    expect(view.spans[0]!.annotations?.map((a) => a.value)).toEqual(['foo', 'bar']);
    expect(view.spans[0]!.tags).toMatchObject({ 'http.path': '/api', error: 'Non-basic error message' });
    expect(view.orphans).toEqual([0]);
    expect(view.hops).toEqual([]);
    expect(view.unpairedClients).toBe(1);
    expect(view.warnings).toContainEqual(expect.objectContaining({ code: 'orphan' }));
  });

  it('otlp/example-trace.json via /v1/traces: one SERVER span, orphaned, with its attributes', async () => {
    const res = await post(`${server.otlpHttp}/v1/traces`, sharedFixture('otlp/example-trace.json'));
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual({});
    const view = await stitchedTrace(server, '5b8efff798038103d269b633813fc60c');
    expect(view.spans).toHaveLength(1);
    expect(view.spans[0]).toMatchObject({
      traceId: '5b8efff798038103d269b633813fc60c', id: 'eee19b7ec3c1b174', parentId: 'eee19b7ec3c1b173', kind: 'SERVER',
      name: 'i\'m a server span', timestamp: 1544712660000000, duration: 1_000_000,
      localEndpoint: { serviceName: 'my.service' }, tags: { 'my.span.attr': 'some value' },
    });
    expect(view.orphans).toEqual([0]);
    expect(view.warnings).toContainEqual(expect.objectContaining({ code: 'orphan' }));
  });
});
