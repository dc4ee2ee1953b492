import http2 from 'node:http2';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecodeContext, IngestStats } from '../ingest/index.js';
import type { Span } from '../model/index.js';
import { EXPORT_PATH, startOtlpGrpcServer } from './grpc-service.js';
import type { OtlpGrpcServer } from './grpc-service.js';

describe('OTLP/gRPC server on its own', () => {
  const accepted: Span[] = [];
  const stats = new IngestStats();
  let server: OtlpGrpcServer;
  beforeAll(async () => {
    server = await startOtlpGrpcServer({
      deps: { sink: { admit: () => ({ ok: true }), accept: (spans) => { accepted.push(...spans); } }, stats, limits: { maxBodyBytes: 1024, maxSpansPerBatch: 10 } },
      ctx: new DecodeContext(), host: '127.0.0.1', port: 0, logger: pino({ level: 'silent' }), requestIdleMs: 200,
    });
  });
  afterAll(() => server.close());

  it('ends a call whose request stalls with DEADLINE_EXCEEDED and a reason', async () => {
    const session = http2.connect(`http://127.0.0.1:${server.port}`);
    const req = session.request({ ':method': 'POST', ':path': EXPORT_PATH, 'content-type': 'application/grpc' });
    const started = Date.now();
    const headers = new Promise<http2.IncomingHttpHeaders>((resolve) => req.on('response', resolve));
    req.on('error', () => { /* the reset after the answer */ });
    // A prefix promising 100 bytes, then nothing.
    req.write(Buffer.from([0, 0, 0, 0, 100]));
    const answer = await headers;
    session.destroy();
    expect(answer['grpc-status']).toBe('4');
    expect(decodeURIComponent(String(answer['grpc-message']))).toMatch(/stalled: no bytes for 200 ms/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(accepted).toHaveLength(0);
  });

  it('counts a refused oversized message under its protocol', async () => {
    const session = http2.connect(`http://127.0.0.1:${server.port}`);
    const req = session.request({ ':method': 'POST', ':path': EXPORT_PATH, 'content-type': 'application/grpc' });
    const headers = new Promise<http2.IncomingHttpHeaders>((resolve) => req.on('response', resolve));
    req.on('error', () => { /* the reset after the answer */ });
    req.end(Buffer.from([0, 0, 0, 8, 0]));
    expect((await headers)['grpc-status']).toBe('8');
    session.destroy();
    expect(stats.toJSON()['otlp-grpc']).toMatchObject({ requests: 1, requestsRefused: { 'too-large': 1 }, spansAccepted: 0 });
  });
});
