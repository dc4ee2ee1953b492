/**
 * The OTLP/gRPC endpoint's protocol edges over a real HTTP/2 socket: what a gRPC client sees for
 * unknown methods, foreign content types, bad framing and compression mismatches, and that
 * grpc-js's own client gets the statuses and reasons it expects. Spans sent in every accepted
 * encoding come back from the read API.
 */
import * as grpc from '@grpc/grpc-js';
import http2 from 'node:http2';
import { deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mutateBytes, randomBytes, rng } from '../helpers/fuzz.js';
import { otlpProtoBody, otlpSpan } from '../helpers/payloads.js';
import { EXPORT_PATH, grpcClient, grpcExport, startTestServer, zipkinTrace } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';

interface RawAnswer {
  readonly status: number;
  readonly headers: http2.IncomingHttpHeaders;
  readonly trailers: http2.IncomingHttpHeaders;
  readonly body: Buffer;
}

/** One HTTP/2 request with a hand-made body, for what a real gRPC client would never send. */
function rawCall(target: string, headers: http2.OutgoingHttpHeaders, body: Buffer): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://${target}`);
    session.on('error', reject);
    const req = session.request({ ':method': 'POST', ':path': EXPORT_PATH, 'content-type': 'application/grpc', te: 'trailers', ...headers });
    let answerHeaders: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    req.on('response', (h) => { answerHeaders = h; });
    req.on('trailers', (t) => { trailers = t; });
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => { /* a reset after the answer; the answer is what is checked */ });
    req.on('close', () => {
      session.close();
      resolve({ status: Number(answerHeaders[':status']), headers: answerHeaders, trailers, body: Buffer.concat(chunks) });
    });
    req.end(body);
  });
}

/** A gRPC length-prefixed message. */
function frame(message: Buffer, compressed = false): Buffer {
  const prefix = Buffer.alloc(5);
  prefix[0] = compressed ? 1 : 0;
  prefix.writeUInt32BE(message.length, 1);
  return Buffer.concat([prefix, message]);
}

/** `grpc-status` and `grpc-message` wherever they came (trailers-only answers put them in headers). */
function statusOf(a: RawAnswer): { code: number; message: string } {
  const code = a.trailers['grpc-status'] ?? a.headers['grpc-status'];
  const message = a.trailers['grpc-message'] ?? a.headers['grpc-message'];
  return { code: Number(code), message: decodeURIComponent(String(message ?? '')) };
}

describe('OTLP/gRPC protocol', () => {
  let server: TestServer;
  let client: grpc.Client;
  beforeAll(async () => {
    server = await startTestServer(['--max-body-size', '64KiB']);
    client = grpcClient(server);
  });
  afterAll(async () => {
    client.close();
    await server.close();
  });

  it('accepts identity, gzip and deflate messages and serves their spans', async () => {
    const cases: [string | undefined, (b: Buffer) => Buffer][] = [[undefined, (b) => b], ['gzip', gzipSync], ['deflate', deflateSync]];
    for (const [encoding, compress] of cases) {
      const span = otlpSpan({ name: `encoded-${encoding ?? 'identity'}` });
      const message = Buffer.from(otlpProtoBody([span]));
      const answer = await rawCall(server.grpcTarget, encoding === undefined ? {} : { 'grpc-encoding': encoding }, frame(encoding === undefined ? message : compress(message), encoding !== undefined));
      expect(answer.status).toBe(200);
      expect(statusOf(answer).code, encoding).toBe(0);
      // An empty ExportTraceServiceResponse, framed.
      expect(answer.body).toEqual(Buffer.from([0, 0, 0, 0, 0]));
      const back = await zipkinTrace(server, span.traceId);
      expect(back[0]!.name).toBe(span.name);
    }
  });

  it('answers UNIMPLEMENTED for another method, with grpc-js seeing the code and reason', async () => {
    const error = await new Promise<grpc.ServiceError | null>((resolve) => {
      client.makeUnaryRequest('/opentelemetry.proto.collector.metrics.v1.MetricsService/Export', (b: Buffer) => b, (b: Buffer) => b, Buffer.alloc(0), (err) => resolve(err));
    });
    expect(error?.code).toBe(grpc.status.UNIMPLEMENTED);
    expect(error?.details).toMatch(/unknown method .*MetricsService/);
  });

  it('answers 415 to a request that is not gRPC', async () => {
    const answer = await rawCall(server.grpcTarget, { 'content-type': 'application/json' }, Buffer.from('{}'));
    expect(answer.status).toBe(415);
    expect(answer.body.toString()).toMatch(/application\/grpc/);
  });

  it('answers UNIMPLEMENTED with the accepted list to an encoding it cannot inflate', async () => {
    const answer = await rawCall(server.grpcTarget, { 'grpc-encoding': 'snappy' }, frame(Buffer.from('x'), true));
    expect(statusOf(answer)).toEqual({ code: grpc.status.UNIMPLEMENTED, message: expect.stringMatching(/snappy/) });
    expect(answer.headers['grpc-accept-encoding']).toBe('identity,gzip,deflate');
  });

  it('refuses bad framing with a reason and keeps serving', async () => {
    const message = Buffer.from(otlpProtoBody([otlpSpan()]));
    const cases: [Buffer, Record<string, string>, number, RegExp][] = [
      [Buffer.alloc(0), {}, grpc.status.INVALID_ARGUMENT, /no request message/],
      [Buffer.from([0, 0, 0]), {}, grpc.status.INVALID_ARGUMENT, /prefix is truncated/],
      [frame(message).subarray(0, 20), {}, grpc.status.INVALID_ARGUMENT, /truncated: 15 of/],
      [Buffer.concat([frame(message), frame(message)]), {}, grpc.status.INVALID_ARGUMENT, /more than one request message/],
      [frame(message, true), {}, grpc.status.INTERNAL, /no grpc-encoding/],
      [frame(Buffer.from('not gzip'), true), { 'grpc-encoding': 'gzip' }, grpc.status.INVALID_ARGUMENT, /not valid gzip/],
    ];
    for (const [body, headers, code, reason] of cases) {
      const answer = await rawCall(server.grpcTarget, headers, body);
      expect(statusOf(answer), reason.source).toEqual({ code, message: expect.stringMatching(reason) });
    }
    expect((await grpcExport(client, message)).error).toBeUndefined();
  });

  it('refuses a message over the limit from its prefix, and one that inflates past it', async () => {
    const declared = Buffer.alloc(5);
    declared.writeUInt32BE(10 * 1024 * 1024, 1);
    // Only the prefix is sent: the answer must not wait for 10 MiB that never come.
    const big = await rawCall(server.grpcTarget, {}, declared);
    expect(statusOf(big)).toEqual({ code: grpc.status.RESOURCE_EXHAUSTED, message: expect.stringMatching(/exceeds the limit of 65536 bytes/) });
    const bomb = await rawCall(server.grpcTarget, { 'grpc-encoding': 'gzip' }, frame(gzipSync(Buffer.alloc(1024 * 1024)), true));
    expect(statusOf(bomb)).toEqual({ code: grpc.status.RESOURCE_EXHAUSTED, message: expect.stringMatching(/after gzip decoding/) });
  });

  it('answers 600 mangled request bodies (framing and compression) with a gRPC status, then still works', async () => {
    const rand = rng(4317);
    const valid = frame(Buffer.from(otlpProtoBody([otlpSpan(), otlpSpan()])));
    const gzipped = frame(gzipSync(valid.subarray(5)), true);
    const allowed = new Set([grpc.status.OK, grpc.status.INVALID_ARGUMENT, grpc.status.INTERNAL, grpc.status.RESOURCE_EXHAUSTED]);
    // One connection for all of them, as an exporter would use: a bad call must not poison it.
    const session = http2.connect(`http://${server.grpcTarget}`);
    try {
      for (let i = 0; i < 600; i++) {
        const compressed = i % 3 === 0;
        const body = i % 5 === 0 ? randomBytes(rand, 64) : mutateBytes(rand, compressed ? gzipped : valid);
        const answer = await new Promise<{ code: number; status: number }>((resolve, reject) => {
          const req = session.request({ ':method': 'POST', ':path': EXPORT_PATH, 'content-type': 'application/grpc', ...(compressed ? { 'grpc-encoding': 'gzip' } : {}) });
          let headers: http2.IncomingHttpHeaders = {};
          let code: string | string[] | undefined;
          req.on('response', (h) => { headers = h; code = h['grpc-status']; });
          req.on('trailers', (t) => { code = t['grpc-status']; });
          req.on('error', reject);
          req.on('close', () => resolve({ code: Number(code), status: Number(headers[':status']) }));
          req.resume();
          req.end(body);
        });
        expect(answer.status, `input ${i}`).toBe(200);
        expect(allowed.has(answer.code), `input ${i}: grpc-status ${answer.code}`).toBe(true);
      }
    } finally {
      session.close();
    }
    expect((await grpcExport(client, valid.subarray(5))).error).toBeUndefined();
  });

  it('percent-encodes the reason, so a `%` in it reaches the client unchanged', async () => {
    const answer = await rawCall(server.grpcTarget, { ':path': '/a%2Fb/Export' }, frame(Buffer.alloc(0)));
    const raw = String(answer.trailers['grpc-message'] ?? answer.headers['grpc-message']);
    expect(raw).toContain('unknown method /a%252Fb/Export');
    expect(statusOf(answer)).toEqual({ code: grpc.status.UNIMPLEMENTED, message: expect.stringContaining('/a%2Fb/Export') });
  });
});

describe('OTLP/gRPC shutdown', () => {
  it('finishes a call in flight when the server closes, then stops', async () => {
    const server = await startTestServer();
    const session = http2.connect(`http://${server.grpcTarget}`);
    const req = session.request({ ':method': 'POST', ':path': EXPORT_PATH, 'content-type': 'application/grpc', te: 'trailers' });
    const trailers = new Promise<http2.IncomingHttpHeaders>((resolve) => req.on('trailers', resolve));
    req.on('error', () => { /* checked through the trailers */ });
    req.resume();
    const body = frame(Buffer.from(otlpProtoBody([otlpSpan()])));
    // Half the message is on the wire when the server is told to stop.
    req.write(body.subarray(0, 10));
    await new Promise((r) => setTimeout(r, 50));
    let closed = false;
    const closing = server.close().then(() => { closed = true; });
    await new Promise((r) => setTimeout(r, 100));
    expect(closed).toBe(false);
    req.end(body.subarray(10));
    expect((await trailers)['grpc-status']).toBe('0');
    await closing;
    session.destroy();
  });
});
