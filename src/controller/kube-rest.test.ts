import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeRest, KubeStatusError } from './kube-rest.js';
import type { WatchEvent } from './kube-rest.js';
import { withRetry } from './retry.js';

let server: Server | undefined;
let rest: KubeRest | undefined;

async function serve(handler: (req: IncomingMessage, body: string, res: ServerResponse) => void): Promise<KubeRest> {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => handler(req, body, res));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  rest = new KubeRest({ server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, rejectUnauthorized: false, authorization: () => 'Bearer t0k3n' });
  return rest;
}

afterEach(async () => {
  rest?.close();
  const s = server;
  if (s !== undefined) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
  server = undefined;
  rest = undefined;
});

describe('KubeRest', () => {
  it('sends JSON with the query, content type and credentials given, and returns the parsed answer', async () => {
    const api = await serve((req, body, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ method: req.method, url: req.url, type: req.headers['content-type'], auth: req.headers.authorization, body: JSON.parse(body) as unknown }));
    });
    const answer = await api.request('PATCH', '/apis/g/v1/namespaces/shop/things/a', { query: { fieldManager: 'me', force: true, skipped: undefined }, body: { spec: { x: 1 } }, contentType: 'application/apply-patch+yaml' });
    expect(answer).toEqual({ method: 'PATCH', url: '/apis/g/v1/namespaces/shop/things/a?fieldManager=me&force=true', type: 'application/apply-patch+yaml', auth: 'Bearer t0k3n', body: { spec: { x: 1 } } });
  });

  it('fails with the status code, headers and message of the API server, which retry.ts acts on (Retry-After)', async () => {
    let calls = 0;
    const api = await serve((_req, _body, res) => {
      if (calls++ === 0) {
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '2' });
        res.end(JSON.stringify({ kind: 'Status', code: 429, message: 'too many requests' }));
      } else {
        res.end('{"ok":true}');
      }
    });
    const err = await api.request('GET', '/api/v1/pods').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeStatusError);
    expect(err).toMatchObject({ code: 429, message: expect.stringContaining('too many requests') });
    calls = 0;
    const delays: number[] = [];
    expect(await withRetry(() => api.request('GET', '/api/v1/pods'), { sleep: async (ms) => { delays.push(ms); }, random: () => 0 })).toEqual({ ok: true });
    expect(delays).toEqual([2000]);
  });

  it('streams watch events however the lines are cut into chunks, until the server ends the watch', async () => {
    const lines = [{ type: 'ADDED', object: { metadata: { name: 'a' } } }, { type: 'BOOKMARK', object: { metadata: { resourceVersion: '9' } } }, { type: 'DELETED', object: { metadata: { name: 'a' } } }]
      .map((e) => JSON.stringify(e) + '\n').join('');
    const api = await serve((req, _body, res) => {
      expect(req.url).toMatch(/watch=true/);
      res.writeHead(200);
      for (let i = 0; i < lines.length; i += 7) res.write(lines.slice(i, i + 7));
      res.end();
    });
    const events: WatchEvent[] = [];
    await api.watch('/apis/g/v1/things', { resourceVersion: '1' }, (e) => events.push(e), new AbortController().signal);
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'BOOKMARK', 'DELETED']);
  });

  it('an aborted watch ends quietly', async () => {
    const api = await serve((_req, _body, res) => {
      res.writeHead(200);
      res.write(JSON.stringify({ type: 'ADDED', object: {} }) + '\n');
    });
    const abort = new AbortController();
    const watching = api.watch('/apis/g/v1/things', {}, () => abort.abort(), abort.signal);
    await expect(watching).resolves.toBeUndefined();
  });

  it('refuses plain HTTP unless TLS verification was switched off, as client-node does', () => {
    expect(() => new KubeRest({ server: 'http://127.0.0.1:1' })).toThrow(/insecure-skip-tls-verify/);
  });
});
