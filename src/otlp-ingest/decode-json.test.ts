import { existsSync, readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { DecodeContext } from '../ingest/context.js';
import { StatusCode, spanFields, tagValue } from '../model/index.js';
import { OtlpPayloadError } from './errors.js';
import { decodeOtlpJson } from './decode-json.js';
import { decodeOtlpProto } from './decode-proto.js';
import { ExportTraceServiceRequest } from './otlp-proto.js';

const FIXTURE = '/work/shared/fixtures/otlp/example-trace.json';
const TRACE = '0af7651916cd43dd8448eb211c80319c';

/** How an emitter writes OTLP as JSON. */
interface Dialect { snake: boolean; base64: boolean; enumNames: boolean; numbers: boolean }
const OTLP_JSON: Dialect = { snake: false, base64: false, enumNames: false, numbers: false };
const CANONICAL: Dialect = { snake: true, base64: true, enumNames: true, numbers: false };

/** One request with every field the decoder reads, written in the given dialect. */
function request(d: Dialect): Record<string, unknown> {
  const k = (camel: string): string => (d.snake ? camel.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase()) : camel);
  const id = (hex: string): string => (d.base64 ? Buffer.from(hex, 'hex').toString('base64') : hex);
  const ns = (v: string): string | number => (d.numbers && BigInt(v) <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
  const str = (key: string, value: string): object => ({ key, value: { [k('stringValue')]: value } });
  const span = {
    [k('traceId')]: id(TRACE), [k('spanId')]: id('b7ad6b7169203331'), [k('parentSpanId')]: id('00f067aa0ba902b7'),
    [k('traceState')]: 'congo=t61rcWkgMzE', name: 'GET /api', kind: d.enumNames ? 'SPAN_KIND_SERVER' : 2,
    [k('startTimeUnixNano')]: '1700000000123456789', [k('endTimeUnixNano')]: '1700000000223456001',
    attributes: [
      str('node_id', 'sidecar~10.0.0.1~reviews-v1-abc.default~default.svc.cluster.local'),
      str('upstream_cluster', 'inbound|9080||'), str('istio.canonical_service', 'reviews'),
      { key: 'http.status_code', value: { [k('intValue')]: d.numbers ? 200 : '200' } },
      { key: 'big', value: { [k('intValue')]: '9007199254740993' } },
      { key: 'sampled', value: { [k('boolValue')]: true } },
    ],
    events: [{ [k('timeUnixNano')]: ns('1700000000150000000'), name: 'retry' }],
    links: [{ [k('traceId')]: id(TRACE), [k('spanId')]: id('00f067aa0ba902b8'), attributes: [str('why', 'batch')] }],
    status: { code: d.enumNames ? 'STATUS_CODE_ERROR' : 2, message: 'boom' },
  };
  return {
    [k('resourceSpans')]: [{
      resource: { attributes: [str('service.name', 'reviews.default')] },
      [k('scopeSpans')]: [{ scope: { name: 'envoy', version: '1.31.0' }, spans: [span] }],
    }],
  };
}

describe('decodeOtlpJson', () => {
  it('decodes OTLP/JSON (hex ids, numeric enums, string int64)', () => {
    const { spans, rejected } = decodeOtlpJson(request(OTLP_JSON), new DecodeContext());
    expect(rejected).toEqual([]);
    const s = spans[0]!;
    expect(s).toMatchObject({
      traceId: TRACE, id: 'b7ad6b7169203331', parentId: '00f067aa0ba902b7', kind: 'SERVER', name: 'GET /api',
      timestampUs: 1700000000123456, startNanosRemainder: 789, durationUs: 100000, endNanosRemainder: 1,
      traceState: 'congo=t61rcWkgMzE', statusCode: StatusCode.ERROR, statusMessage: 'boom', error: true,
      httpStatus: 200, source: 'otlp-json',
      annotations: [{ timestampUs: 1700000000150000, value: 'retry' }],
      links: [{ traceId: TRACE, spanId: '00f067aa0ba902b8', traceState: undefined, attributes: ['why', 'batch'] }],
    });
    expect(s.localEndpoint?.serviceName).toBe('reviews.default');
    expect(s.mesh).toMatchObject({ role: 'sidecar-inbound', workload: 'reviews', podIp: '10.0.0.1' });
    expect(tagValue(s, 'big')).toBe('9007199254740993');
    expect(tagValue(s, 'sampled')).toBe('true');
    expect(tagValue(s, 'otel.scope.name')).toBe('envoy');
    expect(tagValue(s, 'otel.scope.version')).toBe('1.31.0');
  });

  it('decodes canonical JSON (base64 ids, enum names, snake_case) to the same spans', () => {
    const ctx = new DecodeContext();
    const expected = decodeOtlpJson(request(OTLP_JSON), ctx);
    for (const d of [CANONICAL, { ...CANONICAL, snake: false }, { ...OTLP_JSON, numbers: true }, { ...OTLP_JSON, enumNames: true }]) {
      expect(decodeOtlpJson(request(d), ctx)).toEqual(expected);
    }
  });

  it('decodes to the same spans as the protobuf encoding of the same request', () => {
    const ctx = new DecodeContext();
    // protobufjs's fromObject reads canonical JSON with camelCase keys: base64 bytes, enum names.
    const message = ExportTraceServiceRequest.fromObject(request({ ...CANONICAL, snake: false }));
    const proto = decodeOtlpProto(ExportTraceServiceRequest.encode(message).finish(), ctx, 'otlp-grpc');
    const json = decodeOtlpJson(request(OTLP_JSON), ctx);
    expect(proto.spans.map((s) => ({ ...spanFields(s), source: 'otlp-json' }))).toEqual(json.spans.map(spanFields));
  });

  it('accepts the deprecated instrumentationLibrarySpans', () => {
    const body = request(OTLP_JSON) as { resourceSpans: Record<string, unknown>[] };
    const rs = body.resourceSpans[0]!;
    const [ss] = rs['scopeSpans'] as Record<string, unknown>[];
    const old = { resourceSpans: [{ ...rs, scopeSpans: undefined, instrumentationLibrarySpans: [{ instrumentationLibrary: ss!['scope'], spans: ss!['spans'] }] }] };
    const ctx = new DecodeContext();
    expect(decodeOtlpJson(old, ctx)).toEqual(decodeOtlpJson(body, ctx));
  });

  it('rejects malformed spans with their path, keeping the rest', () => {
    const good = (request(OTLP_JSON) as { resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[] })
      .resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    const spans: unknown[] = [
      good, 'nope', { ...good, traceId: 'xyz' }, { ...good, traceId: '00000000000000000000000000000000' },
      { ...good, spanId: 'AAAAAAAAAAA=' }, { ...good, parentSpanId: 42 }, { ...good, startTimeUnixNano: '1.5e18' },
      { ...good, startTimeUnixNano: undefined }, { ...good, endTimeUnixNano: '-1' }, { ...good, endTimeUnixNano: '1' },
      { ...good, parentSpanId: '' },
    ];
    const { spans: kept, rejected } = decodeOtlpJson({ resourceSpans: [{ scopeSpans: [{ spans }] }] }, new DecodeContext());
    expect(kept.map((s) => s.parentId)).toEqual(['00f067aa0ba902b7', undefined]);
    expect(rejected.map((r) => [r.index, r.reason])).toEqual([
      [1, 'invalid-span'], [2, 'invalid-trace-id'], [3, 'invalid-trace-id'], [4, 'invalid-span-id'],
      [5, 'invalid-parent-id'], [6, 'invalid-timestamp'], [7, 'invalid-timestamp'], [8, 'invalid-duration'],
      [9, 'invalid-duration'],
    ]);
    expect(rejected[0]!.message).toBe('resourceSpans[0].scopeSpans[0].spans[1]: not an object');
    expect(rejected[1]!.message).toMatch(/^resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[2\]\.traceId: /);
  });

  it('refuses bodies that are not export requests', () => {
    const ctx = new DecodeContext();
    for (const body of [null, [], 'x', 3, { resourceSpans: {} }, { resourceSpans: [1] }, { resourceSpans: [{ scopeSpans: 'x' }] },
      { resource_spans: [{ scope_spans: [null] }] }, { resourceSpans: [{ scopeSpans: [{ spans: {} }] }] }]) {
      expect(() => decodeOtlpJson(body, ctx)).toThrow(OtlpPayloadError);
    }
    expect(decodeOtlpJson({}, ctx)).toEqual({ spans: [], rejected: [] });
    expect(decodeOtlpJson({ resourceSpans: null }, ctx)).toEqual({ spans: [], rejected: [] });
  });

  it.skipIf(!existsSync(FIXTURE))('decodes the opentelemetry-proto example trace', () => {
    const body: unknown = JSON.parse(readFileSync(FIXTURE, 'utf8'));
    const { spans, rejected } = decodeOtlpJson(body, new DecodeContext());
    expect(rejected).toEqual([]);
    expect(spans).toHaveLength(1);
    expect(spans[0]).toMatchObject({
      traceId: '5b8efff798038103d269b633813fc60c', id: 'eee19b7ec3c1b174', parentId: 'eee19b7ec3c1b173', kind: 'SERVER',
      name: "I'm a server span", timestampUs: 1544712660000000, durationUs: 1000000, startNanosRemainder: 0, mesh: undefined,
    });
    expect(spans[0]!.localEndpoint?.serviceName).toBe('my.service');
    expect(tagValue(spans[0]!, 'my.span.attr')).toBe('some value');
    expect(tagValue(spans[0]!, 'otel.scope.name')).toBe('my.library');
  });
});
