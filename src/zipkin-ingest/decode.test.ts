import { describe, expect, it } from 'vitest';
import { envoyBatches } from '../../bench/envoy-spans.js';
import { zipkinProto } from '../../bench/encode.js';
import { hasSharedFixtures, sharedFixture } from '../../test/helpers/shared.js';
import { DecodeContext } from '../ingest/index.js';
import { tagsToObject } from '../model/index.js';
import type { Span } from '../model/index.js';
import { ZipkinPayloadError, decodeZipkinJson } from './decode-json.js';
import { ListOfSpans, decodeZipkinProto } from './decode-proto.js';

const ctx = (): DecodeContext => new DecodeContext();
const comparable = (s: Span) => ({ traceId: s.traceId, id: s.id, parentId: s.parentId, kind: s.kind, name: s.name, timestampUs: s.timestampUs, durationUs: s.durationUs, tags: tagsToObject(s), role: s.mesh?.role, service: s.localEndpoint?.serviceName });

describe('Zipkin JSON', () => {
  it('decodes an Envoy sidecar batch with mesh facts', () => {
    const batch = envoyBatches(10, 10, 3).flat();
    const { spans, rejected } = decodeZipkinJson(JSON.parse(JSON.stringify(batch)), ctx());
    expect(rejected).toEqual([]);
    expect(spans).toHaveLength(10);
    const client = spans.find((s) => s.kind === 'CLIENT')!;
    expect(client.mesh?.role).toBe('sidecar-outbound');
    expect(client.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(client.httpStatus).toBeTypeOf('number');
  });

  it('rejects bad spans with a reason and keeps the rest of the batch', () => {
    const good = { traceId: '4d1e00c0db9010db86154a4ba6e91385', id: '4d1e00c0db9010db', timestamp: 1, duration: 2 };
    const { spans, rejected } = decodeZipkinJson([
      good,
      { ...good, traceId: 'zz' },
      { ...good, id: '' },
      { ...good, parentId: 'nothex' },
      { ...good, timestamp: -5 },
      { ...good, duration: 'long' },
      'string',
    ], ctx());
    expect(spans).toHaveLength(1);
    expect(rejected.map((r) => r.reason)).toEqual(['invalid-trace-id', 'invalid-span-id', 'invalid-parent-id', 'invalid-timestamp', 'invalid-duration', 'invalid-span']);
    expect(rejected[0]!.message).toBe('spans[1].traceId: not 1-32 hex chars, or all zeros');
  });

  it('refuses a body that is not an array', () => {
    expect(() => decodeZipkinJson({ spans: [] }, ctx())).toThrow(ZipkinPayloadError);
  });

  it('caps tags per span and truncates long values', () => {
    const c = new DecodeContext({ maxTagsPerSpan: 2, maxTagValueLength: 3, maxEventsPerSpan: 1 });
    const [s] = decodeZipkinJson([{ traceId: 'a1', id: 'b1', tags: { a: '1', b: 'long value', c: '3' }, annotations: [{ timestamp: 1, value: 'x' }, { timestamp: 2, value: 'y' }] }], c).spans;
    expect(tagsToObject(s!)).toEqual({ a: '1', b: 'lon' });
    expect(s!.annotations).toHaveLength(1);
    expect(c.tagsLimited).toBe(2);
  });
});

describe('Zipkin proto3', () => {
  it('gives Envoy spans the same ids whether sent as JSON or as HTTP_PROTO (little-endian ids)', () => {
    const batch = envoyBatches(100, 100, 5).flat();
    const fromJson = decodeZipkinJson(JSON.parse(JSON.stringify(batch)), ctx()).spans.map(comparable);
    const fromEnvoyProto = decodeZipkinProto(zipkinProto(batch, true), ctx()).spans.map(comparable);
    expect(fromEnvoyProto).toEqual(fromJson);
  });

  it('keeps big-endian ids from standard proto3 clients', () => {
    const [s] = decodeZipkinProto(Buffer.from(ListOfSpans.encode(ListOfSpans.create({ spans: [{
      traceId: Buffer.from('4d1e00c0db9010db86154a4ba6e91385', 'hex'), id: Buffer.from('86154a4ba6e91385', 'hex'),
      parentId: Buffer.from('1111111111111111', 'hex'), kind: 1, name: 'get', timestamp: 1472470996199000, duration: 207000,
      localEndpoint: { serviceName: 'frontend', ipv4: Uint8Array.from([10, 0, 0, 1]) },
    }] })).finish()), ctx()).spans;
    expect(s).toMatchObject({ id: '86154a4ba6e91385', parentId: '1111111111111111', kind: 'CLIENT', timestampUs: 1472470996199000 });
    expect(s!.localEndpoint).toMatchObject({ serviceName: 'frontend', ipv4: '10.0.0.1' });
  });

  it('detects big-endian Envoy batches from a root span', () => {
    const batch = envoyBatches(100, 100, 9).flat();
    const standard = decodeZipkinProto(zipkinProto(batch, false), ctx()).spans.map(comparable);
    expect(standard).toEqual(decodeZipkinJson(JSON.parse(JSON.stringify(batch)), ctx()).spans.map(comparable));
  });

  it('refuses bytes that are not a ListOfSpans', () => {
    expect(() => decodeZipkinProto(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f]), ctx())).toThrow(ZipkinPayloadError);
  });

  it('says what is wrong with malformed bytes, and counts nothing for a refused request', () => {
    const c = new DecodeContext({ maxTagsPerSpan: 1, maxTagValueLength: 4096, maxEventsPerSpan: 1 });
    const good = zipkinProto(envoyBatches(100, 100, 5).flat().slice(0, 3), true);
    const cases: [Buffer, RegExp][] = [
      [good.subarray(0, good.length - 2), /runs past the end of its message|truncated/],
      [Buffer.concat([good, Buffer.from([0x0a, 0x02, 0x20, 0x96])]), /truncated varint at byte \d+/],
      [Buffer.concat([good, Buffer.from([0x0a, 0x02, 0x0d, 0x00])]), /field 1 has wire type fixed32, expected length-delimited/],
      [Buffer.concat([good, Buffer.from([0x0a, 0x02, 0x26, 0x00])]), /field 4 has wire type invalid|invalid wire type 6/],
    ];
    for (const [bytes, reason] of cases) {
      expect(() => decodeZipkinProto(bytes, c)).toThrow(/^not a zipkin\.proto3\.ListOfSpans: /);
      expect(() => decodeZipkinProto(bytes, c)).toThrow(reason);
    }
    expect(c.tagsLimited).toBe(0);
    expect(decodeZipkinProto(good, c).spans).toHaveLength(3);
    expect(c.tagsLimited).toBe(3);
  });
});

describe.skipIf(!hasSharedFixtures)('recorded Envoy payloads (../shared/fixtures)', () => {
  it('decodes the root SERVER span with the accidental shared flag', () => {
    const { spans } = decodeZipkinJson(JSON.parse(sharedFixture('zipkin/envoy-root-server-shared.json')), ctx());
    expect(spans).toHaveLength(1);
    expect(spans[0]).toMatchObject({ traceId: '0000000000000000978883983d506fa5', traceIdBits: 64, kind: 'SERVER', shared: true, parentId: undefined, requestId: 'd709b78f-583e-988e-b581-25b72c63852d' });
  });

  it('decodes Envoy serializer outputs identically from HTTP_JSON and HTTP_PROTO', () => {
    const expected = JSON.parse(sharedFixture('zipkin/envoy-span-buffer-expected.json')) as Record<string, unknown>;
    const json = decodeZipkinJson(expected['HTTP_JSON_shared_true_cs_sr'], ctx()).spans.map(comparable);
    const protojson = expected['HTTP_PROTO_as_protojson_shared_true_cs_sr'] as object;
    const bytes = ListOfSpans.encode(ListOfSpans.fromObject(protojson)).finish();
    const proto = decodeZipkinProto(bytes, ctx()).spans.map(comparable);
    expect(proto).toEqual(json);
    expect(json[0]!.id).toBe('0000000000000001');
  });

  it('decodes a generic Zipkin client span with remote endpoint and annotations', () => {
    const [s] = decodeZipkinJson(JSON.parse(sharedFixture('zipkin/generic-client.json')), ctx()).spans;
    expect(s).toMatchObject({ kind: 'CLIENT', parentId: '86154a4ba6e91385', error: true, mesh: undefined });
    expect(s!.remoteEndpoint).toMatchObject({ ipv4: '192.168.99.101', port: 9000 });
    expect(s!.annotations).toHaveLength(2);
  });
});
