/**
 * meshtrace's read surfaces on a real server with auth on: probes stay open, everything else
 * wants the token, every reply carries the security headers, credentials in tags never reach
 * storage, `/metrics` follows Prometheus conventions, and search validates its parameters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, post, startTestServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';

const TOKEN = 'test-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };
const TRACE = '5af7183fb1d4cf5f5af7183fb1d4cf5f';
const nowUs = Date.now() * 1000;

const spans = [
  {
    traceId: TRACE, id: '0000000000000001', kind: 'SERVER', name: 'GET /cart', timestamp: nowUs, duration: 5000,
    localEndpoint: { serviceName: 'cart.shop' },
    tags: { 'authorization': 'Bearer user-secret', 'http.url': 'http://cart/items?id=1&access_token=abc', 'http.status_code': '500', 'error': 'true' },
  },
  {
    traceId: TRACE, id: '0000000000000002', parentId: '0000000000000001', kind: 'CLIENT', name: 'GET /price', timestamp: nowUs + 100, duration: 2000,
    localEndpoint: { serviceName: 'cart.shop' }, tags: { 'http.request.header.cookie': 'sid=42' },
  },
];

describe('read surfaces with --auth-token', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(['--auth-token', TOKEN]);
    const res = await post(`${server.zipkin}/api/v2/spans`, JSON.stringify(spans));
    expect(res.status).toBe(202); // ingest stays open to sidecars
  });
  afterAll(async () => server.close());

  it('keeps probes open and asks for credentials everywhere else, with security headers', async () => {
    expect((await fetch(`${server.api}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.api}/readyz`)).status).toBe(200);
    for (const url of [`${server.api}/api/status`, `${server.api}/metrics`, `${server.api}/api/search`, `${server.zipkin}/api/v2/services`]) {
      const res = await fetch(url);
      expect(res.status, url).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('Bearer');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    }
    expect((await fetch(`${server.api}/api/status`, { headers: { authorization: 'Bearer wrong-token-0000000' } })).status).toBe(401);
    const ok = await fetch(`${server.api}/api/status`, { headers: auth });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-content-type-options')).toBe('nosniff');
    expect(ok.headers.get('x-frame-options')).toBe('DENY');
  });

  it('serves the dashboard page without the token (a browser cannot send one on a page load), but none of its data', async () => {
    const page = await fetch(`${server.api}/`);
    expect(page.status).not.toBe(401);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    for (const url of [`${server.api}/api/propagation/report`, `${server.api}/assets/../api/status`, `${server.api}/index.html/../metrics`]) {
      expect((await fetch(url)).status, url).toBe(401);
    }
  });

  it('redacts credentials at ingest, before storage', async () => {
    const trace = await eventually(async () => {
      const res = await fetch(`${server.zipkin}/api/v2/trace/${TRACE}`, { headers: auth });
      expect(res.status).toBe(200);
      return await res.json() as { id: string; tags: Record<string, string> }[];
    });
    const server1 = trace.find((s) => s.id === '0000000000000001')!;
    expect(server1.tags['authorization']).toBe('[REDACTED]');
    expect(server1.tags['http.url']).toBe('http://cart/items?id=1&access_token=[REDACTED]');
    expect(trace.find((s) => s.id === '0000000000000002')!.tags['http.request.header.cookie']).toBe('[REDACTED]');
    expect(JSON.stringify(trace)).not.toMatch(/user-secret|abc|sid=42/);
  });

  it('serves Prometheus metrics with conventional names', async () => {
    const text = await eventually(async () => {
      const body = await (await fetch(`${server.api}/metrics`, { headers: auth })).text();
      expect(body).toContain('meshtrace_traces_settled_total 1');
      return body;
    });
    expect(text).toContain('meshtrace_spans_received_total{protocol="zipkin-json",result="accepted"} 2');
    expect(text).toContain('meshtrace_tags_redacted_total 3');
    expect(text).toMatch(/meshtrace_ingest_duration_seconds_count\{protocol="zipkin-json"\} 1/);
    expect(text).toContain('meshtrace_store_spans 2');
    expect(text).toContain('process_cpu_seconds_total');
    const families = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => ({ name: m[1]!, type: m[2]! }));
    const ours = families.filter((f) => f.name.startsWith('meshtrace_'));
    expect(ours.length).toBeGreaterThan(20);
    for (const f of ours) {
      expect(f.name).toMatch(/^meshtrace_[a-z_]+$/);
      if (f.type === 'counter') expect(f.name).toMatch(/_total$/);
      else expect(f.name).not.toMatch(/_total$/);
    }
  });

  it('searches traces by id, service and error, and validates every parameter', async () => {
    const search = async (q: string) => fetch(`${server.api}/api/search${q}`, { headers: auth });
    const byId = await (await search(`?traceId=${TRACE}`)).json() as { traces: { traceId: string; spanCount: number; errorCount: number }[] };
    expect(byId.traces).toMatchObject([{ traceId: TRACE, spanCount: 2, errorCount: 1 }]);
    const errors = await (await search('?service=cart.shop&error=true&minDuration=1000')).json() as { traces: unknown[] };
    expect(errors.traces).toHaveLength(1);
    const none = await (await search('?service=cart.shop&minDuration=999999')).json() as { traces: unknown[] };
    expect(none.traces).toHaveLength(0);
    for (const q of ['?limit=0', '?limit=abc', '?error=yes', '?window=forever', '?traceId=xyz', '?minDuration=10&maxDuration=5', '?bogus=1']) {
      const res = await search(q);
      expect(res.status, q).toBe(400);
      expect((await res.json() as { message: string }).message.length).toBeGreaterThan(5);
    }
    const services = await (await fetch(`${server.api}/api/services`, { headers: auth })).json() as { services: string[] };
    expect(services.services).toContain('cart.shop');
  });
});
