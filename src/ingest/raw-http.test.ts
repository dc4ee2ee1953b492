import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawIngestServerFactory } from './raw-http.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('raw ingest bodies', () => {
  let server: http.Server;
  let port = 0;
  beforeAll(async () => {
    const route = { path: '/in', handle: (body: Buffer) => ({ status: 202, body: sha(body) }) };
    server = rawIngestServerFactory([route], 8 * 1024 * 1024, pino({ level: 'silent' }))(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** Starts a POST, returning a writer for its body and the answer's text. */
  function post(size: number): { write: (b: Buffer) => void; end: () => void; answer: Promise<string> } {
    let req!: http.ClientRequest;
    const answer = new Promise<string>((resolve, reject) => {
      req = http.request({ port, host: '127.0.0.1', path: '/in', method: 'POST', headers: { 'content-length': String(size) } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => { text += c.toString(); });
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
    });
    return { write: (b) => req.write(b), end: () => req.end(), answer };
  }

  it('gives each handler exactly its own bytes while bodies of several chunks arrive interleaved', async () => {
    const bodies = [Buffer.alloc(600_000, 1), Buffer.alloc(300_000, 2), Buffer.alloc(5_000_000, 3), Buffer.from('small')];
    for (const b of bodies) for (let i = 0; i < b.length; i += 4099) b[i] = i % 251;
    const posts = bodies.map((b) => post(b.length));
    // Halves first, in turn, so the server holds several partial bodies at once.
    posts.forEach((p, i) => p.write(bodies[i]!.subarray(0, bodies[i]!.length >> 1)));
    await new Promise((r) => setTimeout(r, 50));
    posts.forEach((p, i) => { p.write(bodies[i]!.subarray(bodies[i]!.length >> 1)); p.end(); });
    expect(await Promise.all(posts.map((p) => p.answer))).toEqual(bodies.map(sha));
  });
});
