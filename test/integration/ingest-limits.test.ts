/**
 * Ingest limits and refusals over real sockets: compression, malformed bodies, partial batches,
 * body and batch size limits (also after gzip inflation), a full trace buffer, and the OTLP
 * partial-success answers, on Zipkin, OTLP/HTTP and OTLP/gRPC.
 */
import * as grpc from '@grpc/grpc-js';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExportTraceServiceResponse } from '../../src/otlp-ingest/index.js';
import { otlpJsonBody, otlpProtoBody, otlpSpan, zipkinSpan, zipkinSpans } from '../helpers/payloads.js';
import { eventually, grpcClient, grpcExport, post, postChunked, startTestServer, zipkinTrace } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';

const PROTO = { 'content-type': 'application/x-protobuf' };

function decodeResponse(bytes: Buffer | undefined): { partialSuccess?: { rejectedSpans?: number; errorMessage?: string } } {
  return ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(bytes ?? Buffer.alloc(0)), { longs: Number });
}

describe('ingest limits (64KiB bodies, 50 spans a batch)', () => {
  let server: TestServer;
  let client: grpc.Client;
  let spansUrl: string;
  let otlpUrl: string;
  beforeAll(async () => {
    server = await startTestServer(['--max-body-size', '64KiB', '--max-spans-per-batch', '50']);
    client = grpcClient(server);
    spansUrl = `${server.zipkin}/api/v2/spans`;
    otlpUrl = `${server.otlpHttp}/v1/traces`;
  });
  afterAll(async () => {
    client.close();
    await server.close();
  });

  it('accepts a gzip-compressed Zipkin JSON body (202) and serves its spans', async () => {
    const spans = zipkinSpans(3);
    const res = await post(spansUrl, gzipSync(JSON.stringify(spans)), { 'content-encoding': 'gzip' });
    expect(res.status).toBe(202);
    const back = await zipkinTrace(server, spans[0]!.traceId, 3);
    expect(back.map((s) => s.id).sort()).toEqual(spans.map((s) => s.id).sort());
  });

  it('answers malformed JSON with 400 and the parser\'s reason', async () => {
    const res = await post(spansUrl, '[{"traceId": "abc", ');
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ statusCode: 400, message: expect.stringMatching(/malformed JSON/) });
  });

  it('answers a body that is not a span list with 400', async () => {
    for (const body of ['{"traceId":"1"}', '42', 'null']) {
      const res = await post(spansUrl, body);
      expect(res.status, body).toBe(400);
    }
  });

  it('keeps the good spans of a mixed batch (202) and names the bad ones', async () => {
    const good = zipkinSpans(2);
    const bad = [zipkinSpan({ traceId: 'not-hex' }), zipkinSpan({ id: '' }), 'not a span'];
    const res = await post(spansUrl, JSON.stringify([good[0], ...bad, good[1]]));
    expect(res.status).toBe(202);
    expect(res.json).toMatchObject({ accepted: 2, rejected: 3, message: expect.stringMatching(/traceId/) });
    const back = await zipkinTrace(server, good[0]!.traceId, 2);
    expect(back.map((s) => s.id).sort()).toEqual(good.map((s) => s.id).sort());
  });

  it('refuses a batch of only bad spans with 400', async () => {
    const res = await post(spansUrl, JSON.stringify([zipkinSpan({ traceId: 'zz' })]));
    expect(res.status).toBe(400);
  });

  it('refuses a body over --max-body-size with 413', async () => {
    const res = await post(spansUrl, JSON.stringify([zipkinSpan({ name: 'x'.repeat(70 * 1024) })]));
    expect(res.status).toBe(413);
    const otlp = await post(otlpUrl, Buffer.alloc(70 * 1024, 1), PROTO);
    expect(otlp.status).toBe(413);
    const { error } = await grpcExport(client, Buffer.alloc(70 * 1024, 1));
    expect(error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
  });

  it('refuses an over-limit chunked body (no Content-Length) with 413, and keeps serving', async () => {
    expect(await postChunked(spansUrl, 1024 * 1024)).toBe(413);
    expect(await postChunked(otlpUrl, 256 * 1024)).toBe(413);
    expect((await post(spansUrl, JSON.stringify(zipkinSpans(1)))).status).toBe(202);
  });

  it('refuses a small gzip body that inflates past the limit with 413', async () => {
    const bomb = gzipSync(`[${' '.repeat(1024 * 1024)}]`);
    expect(bomb.length).toBeLessThan(8 * 1024);
    const res = await post(spansUrl, bomb, { 'content-encoding': 'gzip' });
    expect(res.status).toBe(413);
    expect(res.text).toMatch(/gzip/);
    const otlp = await post(otlpUrl, bomb, { 'content-encoding': 'gzip' });
    expect(otlp.status).toBe(413);
  });

  it('refuses an unknown Content-Encoding with 415 and bad gzip with 400', async () => {
    expect((await post(spansUrl, '[]', { 'content-encoding': 'br' })).status).toBe(415);
    expect((await post(spansUrl, 'not gzip at all', { 'content-encoding': 'gzip' })).status).toBe(400);
  });

  it('refuses more than --max-spans-per-batch spans with 413, on every protocol', async () => {
    const res = await post(spansUrl, JSON.stringify(zipkinSpans(51)));
    expect(res.status).toBe(413);
    expect(res.text).toMatch(/51 spans/);
    const spans = Array.from({ length: 51 }, () => otlpSpan());
    expect((await post(otlpUrl, otlpJsonBody(spans))).status).toBe(413);
    expect((await post(otlpUrl, otlpProtoBody(spans), PROTO)).status).toBe(413);
    const { error } = await grpcExport(client, otlpProtoBody(spans));
    expect(error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect((await post(spansUrl, JSON.stringify(zipkinSpans(50)))).status).toBe(202);
  });

  it('answers OTLP/HTTP protobuf garbage with 400', async () => {
    for (const garbage of [Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), Buffer.from('definitely not protobuf'), Buffer.from([0x0f])]) {
      const res = await post(otlpUrl, garbage, PROTO);
      expect(res.status, garbage.toString('hex')).toBe(400);
      expect(res.json).toMatchObject({ statusCode: 400, message: expect.stringMatching(/ExportTraceServiceRequest/) });
    }
  });

  it('answers OTLP/gRPC garbage with INVALID_ARGUMENT', async () => {
    const { error } = await grpcExport(client, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]));
    expect(error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error?.details).toMatch(/ExportTraceServiceRequest/);
  });

  it('reports invalid OTLP/gRPC spans in partial_success and keeps the valid ones', async () => {
    const good = otlpSpan();
    const spans = [good, otlpSpan({ traceId: 'abcd' }), otlpSpan({ spanId: '00' })];
    const { error, response } = await grpcExport(client, otlpProtoBody(spans));
    expect(error).toBeUndefined();
    expect(decodeResponse(response).partialSuccess).toMatchObject({ rejectedSpans: 2, errorMessage: expect.stringMatching(/2 of 3 spans rejected/) });
    const back = await zipkinTrace(server, good.traceId);
    expect(back.map((s) => s.id)).toEqual([good.spanId]);
  });

  it('answers a fully valid OTLP/gRPC export with an empty response', async () => {
    const { error, response } = await grpcExport(client, otlpProtoBody([otlpSpan()]));
    expect(error).toBeUndefined();
    expect(decodeResponse(response).partialSuccess).toBeUndefined();
  });

  it('reports invalid OTLP/HTTP spans in partialSuccess (JSON and protobuf) with 200', async () => {
    const good = otlpSpan();
    const json = await post(otlpUrl, otlpJsonBody([good, otlpSpan({ traceId: 'xyz' }), otlpSpan({ startTimeUnixNano: 'soon' })]));
    expect(json.status).toBe(200);
    expect(json.json).toMatchObject({ partialSuccess: { errorMessage: expect.stringMatching(/traceId/) } });
    expect(Number((json.json as { partialSuccess: { rejectedSpans: unknown } }).partialSuccess.rejectedSpans)).toBe(2);
    await zipkinTrace(server, good.traceId);

    const proto = await fetch(otlpUrl, { method: 'POST', headers: PROTO, body: otlpProtoBody([otlpSpan(), otlpSpan({ spanId: 'ab' })]) });
    expect(proto.status).toBe(200);
    expect(proto.headers.get('content-type')).toMatch(/protobuf/);
    expect(decodeResponse(Buffer.from(await proto.arrayBuffer())).partialSuccess?.rejectedSpans).toBe(1);
  });
});

describe('a full trace buffer (--max-buffered-spans 10)', () => {
  let server: TestServer;
  let client: grpc.Client;
  beforeAll(async () => {
    server = await startTestServer(['--max-buffered-spans', '10']);
    client = grpcClient(server);
  });
  afterAll(async () => {
    client.close();
    await server.close();
  });

  it('answers 429 with retry-after (Zipkin, OTLP/HTTP) and RESOURCE_EXHAUSTED (gRPC), then recovers after settling', async () => {
    const spansUrl = `${server.zipkin}/api/v2/spans`;
    expect((await post(spansUrl, JSON.stringify(zipkinSpans(10)))).status).toBe(202);

    const zipkin = await post(spansUrl, JSON.stringify(zipkinSpans(1)));
    expect(zipkin.status).toBe(429);
    expect(zipkin.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(zipkin.json).toMatchObject({ statusCode: 429, message: expect.stringMatching(/buffer full/) });

    const otlp = await post(`${server.otlpHttp}/v1/traces`, otlpProtoBody([otlpSpan()]), PROTO);
    expect(otlp.status).toBe(429);
    expect(otlp.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    const otlpJson = await post(`${server.otlpHttp}/v1/traces`, otlpJsonBody([otlpSpan()]));
    expect(otlpJson.status).toBe(429);

    const { error } = await grpcExport(client, otlpProtoBody([otlpSpan()]));
    expect(error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(error?.details).toMatch(/buffer full/);

    expect(server.running.assembler.stats().refusedBatches).toBe(4);
    // Once the buffered trace settles (1s settle period), ingest is open again.
    await eventually(async () => {
      const res = await post(spansUrl, JSON.stringify(zipkinSpans(1)));
      if (res.status !== 202) throw new Error(`still ${res.status}`);
    }, 5000, 100);
  });
});
