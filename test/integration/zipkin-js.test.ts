/**
 * zipkin-js (`zipkin` + `zipkin-transport-http`, JSON v2) reports a real HTTP call: a local root
 * span, the caller's CLIENT span and the callee's SERVER span, the callee reading B3 headers off a
 * real request. meshtrace must answer the transport with 202 and serve the spans back with the
 * same ids, parents and names.
 */
import { once } from 'node:events';
import type { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import zipkin from 'zipkin';
import transport from 'zipkin-transport-http';
import { eventually, startTestServer, zipkinTrace } from '../helpers/server.js';
import type { TestServer, ZipkinSpanOut } from '../helpers/server.js';

const { BatchRecorder, ExplicitContext, Instrumentation, Tracer, jsonEncoder, option } = zipkin;

interface Reporter {
  readonly logger: InstanceType<typeof transport.HttpLogger>;
  readonly statuses: number[];
  readonly errors: Error[];
}

/** An HttpLogger that remembers every answer meshtrace gave it and every 'error' it emitted. */
function reporter(server: TestServer): Reporter {
  const logger = new transport.HttpLogger({ endpoint: `${server.zipkin}/api/v2/spans`, jsonEncoder: jsonEncoder.JSON_V2, httpInterval: 20 });
  const statuses: number[] = [];
  const errors: Error[] = [];
  const events = logger as unknown as EventEmitter;
  events.on('success', (res: Response) => statuses.push(res.status));
  events.on('error', (err: Error) => errors.push(err));
  return { logger, statuses, errors };
}

function tracer(rep: Reporter, serviceName: string, supportsJoin: boolean): zipkin.Tracer {
  return new Tracer({
    ctxImpl: new ExplicitContext(), recorder: new BatchRecorder({ logger: rep.logger }),
    localServiceName: serviceName, traceId128Bit: true, supportsJoin,
  });
}

function header(req: IncomingMessage, name: string): zipkin.option.IOption<string> {
  const v = req.headers[name.toLowerCase()];
  return typeof v === 'string' ? new option.Some(v) : option.None;
}

/** The callee: a real HTTP server whose SERVER span joins (or continues) the caller's B3 context. */
async function backend(serverTracer: zipkin.Tracer): Promise<Server> {
  const instrumentation = new Instrumentation.HttpServer({ tracer: serverTracer, serviceName: 'backend', port: 8080 });
  const srv = createServer((req, res) => {
    serverTracer.scoped(() => {
      const id = instrumentation.recordRequest(req.method ?? 'GET', `http://backend${req.url ?? '/'}`,
        ((name: string) => header(req, name)) as Parameters<typeof instrumentation.recordRequest>[2]);
      setTimeout(() => {
        instrumentation.recordResponse(id, '200');
        res.end('ok');
      }, 5);
    });
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  return srv;
}

interface Call { traceId: string; root: string; client: string }

/** The caller: a local `checkout` span around an instrumented fetch to the backend. */
async function call(clientTracer: zipkin.Tracer, srv: Server): Promise<Call> {
  const http = new Instrumentation.HttpClient({ tracer: clientTracer, serviceName: 'frontend', remoteServiceName: 'backend' });
  const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/api/items`;
  return clientTracer.local('checkout', async () => {
    const root = clientTracer.id;
    const { headers } = http.recordRequest<{ headers: Record<string, string> }>({ headers: {} }, url, 'GET');
    const clientId = clientTracer.id;
    const res = await fetch(url, { headers });
    await res.text();
    http.recordResponse(clientId, String(res.status));
    return { traceId: root.traceId, root: root.spanId, client: clientId.spanId };
  });
}

function only(spans: ZipkinSpanOut[], pred: (s: ZipkinSpanOut) => boolean): ZipkinSpanOut {
  const found = spans.filter(pred);
  expect(found, JSON.stringify(spans)).toHaveLength(1);
  return found[0]!;
}

describe('zipkin-js tracer + HttpLogger (JSON v2) → meshtrace', () => {
  let server: TestServer;
  const backends: Server[] = [];
  beforeAll(async () => { server = await startTestServer(); });
  afterAll(async () => {
    for (const b of backends) b.close();
    await server.close();
  });

  async function run(supportsJoin: boolean): Promise<{ sent: Call; spans: ZipkinSpanOut[]; rep: Reporter }> {
    const rep = reporter(server);
    const srv = await backend(tracer(rep, 'backend', supportsJoin));
    backends.push(srv);
    const sent = await call(tracer(rep, 'frontend', true), srv);
    const spans = await zipkinTrace(server, sent.traceId, 3);
    await eventually(() => { if (rep.statuses.length === 0 && rep.errors.length === 0) throw new Error('no answer yet'); });
    expect(rep.errors.map((e) => e.message)).toEqual([]);
    expect(rep.statuses.length).toBeGreaterThan(0);
    expect(new Set(rep.statuses)).toEqual(new Set([202]));
    expect(sent.traceId).toMatch(/^[0-9a-f]{32}$/);
    for (const s of spans) expect(s.traceId).toBe(sent.traceId);
    return { sent, spans, rep };
  }

  it('separate server span (supportsJoin: false): root → CLIENT → SERVER', async () => {
    const { sent, spans } = await run(false);
    expect(spans).toHaveLength(3);
    const root = only(spans, (s) => s.id === sent.root);
    expect(root.parentId).toBeUndefined();
    expect(root).toMatchObject({ name: 'checkout', localEndpoint: { serviceName: 'frontend' } });
    expect(root.kind).toBeUndefined();
    const client = only(spans, (s) => s.kind === 'CLIENT');
    expect(client).toMatchObject({
      id: sent.client, parentId: sent.root, name: 'get',
      localEndpoint: { serviceName: 'frontend' }, remoteEndpoint: { serviceName: 'backend' },
      tags: { 'http.path': '/api/items', 'http.status_code': '200' },
    });
    const srv = only(spans, (s) => s.kind === 'SERVER');
    expect(srv).toMatchObject({ parentId: sent.client, name: 'get', localEndpoint: { serviceName: 'backend', port: 8080 } });
    expect(srv.id).not.toBe(sent.client);
    expect(srv.shared).toBeUndefined();
    expect(srv.timestamp).toBeGreaterThanOrEqual(client.timestamp!);
    expect(client.duration).toBeGreaterThanOrEqual(srv.duration!);
  });

  it('joined server span (supportsJoin: true): SERVER shares the CLIENT id, marked shared', async () => {
    const { sent, spans } = await run(true);
    expect(spans).toHaveLength(3);
    const client = only(spans, (s) => s.kind === 'CLIENT');
    const srv = only(spans, (s) => s.kind === 'SERVER');
    expect(client).toMatchObject({ id: sent.client, parentId: sent.root, name: 'get' });
    expect(srv).toMatchObject({ id: sent.client, parentId: sent.root, name: 'get', shared: true, localEndpoint: { serviceName: 'backend' } });

    // The stitched view hangs the shared server half under its client half and pairs them as a hop.
    const view = await eventually(async () => {
      const res = await fetch(`${server.api}/api/traces/${sent.traceId}`);
      return await res.json() as { spans: ZipkinSpanOut[]; hops: { caller: string; callee: string; clientIndex: number; serverIndex: number }[] };
    });
    expect(view.hops).toHaveLength(1);
    expect(view.spans[view.hops[0]!.clientIndex]!.kind).toBe('CLIENT');
    expect(view.spans[view.hops[0]!.serverIndex]!.kind).toBe('SERVER');
    expect(view.hops[0]).toMatchObject({ caller: 'frontend', callee: 'backend' });
  });
});
