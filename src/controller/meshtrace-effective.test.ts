import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { EffectiveSource } from './meshtrace-effective.js';
import type { EnvoyView } from './reconcile-types.js';

const body = (namespace: string) => JSON.stringify({
  workloads: [{
    key: `${namespace}/reviews`, namespace, workload: 'reviews', gateway: false,
    proxies: [{ id: 'sidecar~10.0.0.1~reviews-v1-abc.shop~shop.svc.cluster.local', pod: 'reviews-v1-abc', type: 'sidecar', source: 'ads',
      sides: { inbound: { percentages: [10], providers: ['zipkin'], enabledHcms: 2, disabledHcms: [] } }, percentage: 10, problems: [] }],
  }],
  errors: {},
});

/** How the fake meshtrace answers the next requests. */
let behave: (req: IncomingMessage, res: ServerResponse) => void;
const seen: { url: string | undefined; authorization: string | undefined }[] = [];
const server = createServer((req, res) => {
  seen.push({ url: req.url, authorization: req.headers.authorization });
  behave(req, res);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
afterAll(() => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }));

const json = (req: IncomingMessage, res: ServerResponse) => {
  const ns = new URL(req.url ?? '/', base).searchParams.get('namespace') ?? '';
  res.writeHead(200, { 'content-type': 'application/json' }).end(body(ns));
};

let clock = 0;
const source = (over: Partial<ConstructorParameters<typeof EffectiveSource>[0]> = {}) => new EffectiveSource({
  url: base, token: 'tok', ttlMs: 15_000, timeoutMs: 2000, log: pino({ level: 'silent' }), now: () => clock, ...over,
});
const unavailable = (v: EnvoyView): string => ('unavailable' in v ? v.unavailable : 'available');

beforeEach(() => {
  seen.length = 0;
  clock = 0;
  behave = json;
});

describe('EffectiveSource against a real HTTP server', () => {
  it('asks for the namespace with the token and reads what its Envoys run', async () => {
    const view = await source().get('shop');
    expect(seen).toEqual([{ url: '/api/sampling/effective?namespace=shop', authorization: 'Bearer tok' }]);
    expect('workloads' in view && view.workloads.get('reviews')).toMatchObject({ proxies: 1, percentages: [10], disagreeing: 0 });
  });

  it('asks at most once per TTL per namespace, and once for reconciles asking at the same time', async () => {
    const s = source();
    await Promise.all([s.get('shop'), s.get('shop'), s.get('shop')]);
    expect(seen).toHaveLength(1);
    clock = 14_999;
    await s.get('shop');
    expect(seen).toHaveLength(1);
    await s.get('books');
    expect(seen.map((r) => r.url)).toEqual(['/api/sampling/effective?namespace=shop', '/api/sampling/effective?namespace=books']);
    clock = 15_000;
    await s.get('shop');
    expect(seen).toHaveLength(3);
  });

  it('a 500 is Unknown with the status, and is not asked again within the TTL', async () => {
    behave = (_req, res) => res.writeHead(500).end('{"error":"boom"}');
    const s = source();
    expect(unavailable(await s.get('shop'))).toBe(`${base}/api/sampling/effective?namespace=shop answered 500`);
    behave = json;
    expect(unavailable(await s.get('shop'))).toContain('answered 500');
    expect(seen).toHaveLength(1);
    clock = 20_000;
    expect(unavailable(await s.get('shop'))).toBe('available');
  });

  it('garbage is Unknown: not JSON', async () => {
    behave = (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>');
    expect(unavailable(await source().get('shop'))).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/sampling\/effective\?namespace=shop: not JSON/);
  });

  it('JSON of the wrong shape is Unknown with the path of the problem', async () => {
    behave = (_req, res) => res.writeHead(200).end(JSON.stringify({ workloads: [{ namespace: 'shop', workload: 'reviews', proxies: [{ sides: { inbound: { percentages: ['ten'], enabledHcms: 1 } } }] }] }));
    expect(unavailable(await source().get('shop'))).toBe('unexpected answer from /api/sampling/effective: workloads[0].proxies[0].sides.inbound.percentages[0]: expected a percentage, got "ten"');
  });

  it('a server that does not answer in time is Unknown, without waiting for it', async () => {
    behave = () => undefined; // never answers
    const started = Date.now();
    expect(unavailable(await source({ timeoutMs: 150 }).get('shop'))).toContain('no answer within 150 ms');
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('a server that sends headers, then trickles, is cut at the deadline too', async () => {
    behave = (_req, res) => { res.writeHead(200); res.write('{"workloads":['); };
    expect(unavailable(await source({ timeoutMs: 150 }).get('shop'))).toContain('no answer within 150 ms');
  });

  it('an answer over the size cap is refused', async () => {
    behave = (_req, res) => res.writeHead(200).end(JSON.stringify({ workloads: [], pad: 'x'.repeat(10_000) }));
    expect(unavailable(await source({ maxBytes: 1000 }).get('shop'))).toContain('answer larger than 1000 bytes');
  });

  it('nothing listening is Unknown with the connection error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(unavailable(await source({ url: `http://127.0.0.1:${port}` }).get('shop'))).toContain('ECONNREFUSED');
  });

  it('keeps only the asked namespace of an answer', async () => {
    behave = (_req, res) => res.writeHead(200).end(body('shop'));
    const view = await source().get('books');
    expect('workloads' in view && view.workloads.size).toBe(0);
  });
});
