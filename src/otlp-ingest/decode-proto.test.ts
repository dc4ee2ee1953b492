import { describe, it, expect } from 'vitest';
import { DecodeContext, DEFAULT_SPAN_LIMITS } from '../ingest/context.js';
import { StatusCode, tagValue, tagsToObject } from '../model/index.js';
import { OtlpPayloadError } from './errors.js';
import { decodeOtlpProto } from './decode-proto.js';
import { ExportTraceServiceRequest, ExportTraceServiceResponse, otlpRoot } from './otlp-proto.js';

const TRACE = '5b8efff798038103d269b633813fc60c';
const NODE_ID = 'sidecar~10.0.0.1~reviews-v1-abc.default~default.svc.cluster.local';

const hex = (h: string): Buffer => Buffer.from(h, 'hex');
const str = (key: string, value: string): object => ({ key, value: { stringValue: value } });

function encode(request: object): Uint8Array {
  return ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(request)).finish();
}

/** An Envoy sidecar span as Envoy's OpenTelemetry tracer writes it (ENVOY-ISTIO.md §2-3). */
function envoySpan(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    traceId: hex(TRACE), spanId: hex('a1b2c3d4e5f60718'), parentSpanId: hex('0102030405060708'),
    name: 'ratings.default.svc.cluster.local:9080/*', kind: 3,
    startTimeUnixNano: '1700000000123456789', endTimeUnixNano: '1700000001987654321',
    attributes: [
      str('node_id', NODE_ID), str('zone', ''), str('component', 'proxy'),
      str('upstream_cluster', 'outbound|9080||ratings.default.svc.cluster.local'),
      str('guid:x-request-id', '36f189be-0e4c-9187-acb5-b7dfdb552328'), str('http.method', 'GET'),
      str('http.status_code', '503'), str('response_flags', 'UH'), str('error', 'true'),
      str('istio.canonical_service', 'reviews'), str('istio.canonical_revision', 'v1'),
      str('istio.namespace', 'default'), str('istio.mesh_id', 'cluster.local'),
    ],
    ...over,
  };
}

function envoyRequest(spans: Record<string, unknown>[]): object {
  return {
    resourceSpans: [{
      resource: { attributes: [str('service.name', 'reviews.default'), str('telemetry.sdk.name', 'envoy')] },
      scopeSpans: [{ scope: {}, spans }],
    }],
  };
}

const decode = (request: object, ctx = new DecodeContext()): ReturnType<typeof decodeOtlpProto> =>
  decodeOtlpProto(encode(request), ctx, 'otlp-proto');

/** A length-delimited field with a varint length of any size. */
function lengthField(n: number, content: Buffer): Buffer {
  const length: number[] = [];
  for (let v = content.length; ; v >>>= 7) {
    if (v < 0x80) { length.push(v); break; }
    length.push((v & 0x7f) | 0x80);
  }
  return Buffer.concat([Buffer.from([(n << 3) | 2, ...length]), content]);
}

/** The top-level fields of a message (no groups), in reverse order. */
function reverseFields(message: Buffer): Buffer {
  const fields: Buffer[] = [];
  let pos = 0;
  const varint = (): number => {
    let v = 0;
    for (let shift = 0; ; shift += 7) {
      const b = message[pos++]!;
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
    }
  };
  while (pos < message.length) {
    const start = pos;
    const tag = varint();
    if ((tag & 7) === 0) varint();
    else if ((tag & 7) === 1) pos += 8;
    else if ((tag & 7) === 5) pos += 4;
    else {
      const length = varint();
      pos += length;
    }
    fields.push(message.subarray(start, pos));
  }
  return Buffer.concat(fields.reverse());
}

describe('decodeOtlpProto', () => {
  it('decodes an Envoy outbound sidecar span with its mesh facts', () => {
    const { spans, rejected } = decode(envoyRequest([envoySpan()]));
    expect(rejected).toEqual([]);
    const s = spans[0]!;
    expect(s).toMatchObject({
      traceId: TRACE, traceIdBits: 128, id: 'a1b2c3d4e5f60718', parentId: '0102030405060708', kind: 'CLIENT',
      name: 'ratings.default.svc.cluster.local:9080/*', source: 'otlp-proto', shared: false,
      requestId: '36f189be-0e4c-9187-acb5-b7dfdb552328', httpStatus: 503, responseFlags: 'UH',
      error: true, statusCode: StatusCode.UNSET, traceState: undefined, links: undefined, annotations: undefined,
    });
    expect(s.localEndpoint?.serviceName).toBe('reviews.default');
    expect(s.mesh).toMatchObject({
      role: 'sidecar-outbound', nodeId: NODE_ID, podName: 'reviews-v1-abc', podIp: '10.0.0.1', namespace: 'default',
      workload: 'reviews', canonicalRevision: 'v1', meshId: 'cluster.local',
      upstreamHost: 'ratings.default.svc.cluster.local', upstreamPort: 9080,
    });
    // Resource attributes are shared tags, as are Envoy's low-cardinality ones; empty values are kept.
    expect(s.sharedTags.get('telemetry.sdk.name')).toBe('envoy');
    expect(tagValue(s, 'zone')).toBe('');
    expect(s.ownTags).toContain('guid:x-request-id');
  });

  it('tells an inbound SERVER span from its upstream cluster', () => {
    const attributes = [str('node_id', NODE_ID), str('upstream_cluster', 'inbound|9080||'), str('istio.canonical_service', 'reviews')];
    const { spans } = decode(envoyRequest([envoySpan({ kind: 2, attributes })]));
    expect(spans[0]!.kind).toBe('SERVER');
    expect(spans[0]!.mesh).toMatchObject({ role: 'sidecar-inbound', workload: 'reviews', upstreamPort: 9080 });
    expect(spans[0]!.error).toBe(false);
  });

  it('keeps nanosecond times exact beyond 2^53', () => {
    const cases: [string, string][] = [
      ['1700000000123456789', '1700000001987654321'],
      ['1700000000123456999', '1700000000123457000'],
      ['1700000000123456000', '1700000000123456000'],
      ['18446744073709551', '18446744073709552'],
    ];
    for (const [start, end] of cases) {
      const s = decode(envoyRequest([envoySpan({ startTimeUnixNano: start, endTimeUnixNano: end })])).spans[0]!;
      expect(BigInt(s.timestampUs) * 1000n + BigInt(s.startNanosRemainder)).toBe(BigInt(start));
      expect(BigInt(s.timestampUs + s.durationUs) * 1000n + BigInt(s.endNanosRemainder)).toBe(BigInt(end));
      expect(Number.isSafeInteger(s.timestampUs) && Number.isSafeInteger(s.durationUs)).toBe(true);
    }
    const s = decode(envoyRequest([envoySpan()])).spans[0]!;
    expect([s.timestampUs, s.startNanosRemainder, s.durationUs, s.endNanosRemainder]).toEqual([1700000000123456, 789, 1864198, 321]);
  });

  it('maps kinds, status, trace state, scope, events and links', () => {
    const span = envoySpan({
      kind: 1, traceState: 'congo=t61rcWkgMzE', status: { code: 2, message: 'upstream reset' }, attributes: [],
      events: [{ timeUnixNano: '1700000000500000001', name: 'exception' }, { name: 'no time' }],
      links: [
        { traceId: hex('0af7651916cd43dd8448eb211c80319c'), spanId: hex('b7ad6b7169203331'), traceState: 'a=b', attributes: [str('k', 'v')] },
        { traceId: hex('00'), spanId: hex('b7ad6b7169203331') },
      ],
    });
    const request = { resourceSpans: [{ scopeSpans: [{ scope: { name: 'io.envoy', version: '1.31' }, spans: [span] }] }] };
    const s = decode(request).spans[0]!;
    expect(s).toMatchObject({ kind: 'INTERNAL', traceState: 'congo=t61rcWkgMzE', statusCode: StatusCode.ERROR, statusMessage: 'upstream reset', error: true });
    expect(s.localEndpoint).toBeUndefined();
    expect(s.mesh).toBeUndefined();
    expect(s.sharedTags.tags).toEqual(['otel.scope.name', 'io.envoy', 'otel.scope.version', '1.31']);
    expect(s.annotations).toEqual([{ timestampUs: 1700000000500000, value: 'exception' }]);
    expect(s.links).toEqual([{ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceState: 'a=b', attributes: ['k', 'v'] }]);
    for (const [kind, expected] of [[0, undefined], [2, 'SERVER'], [4, 'PRODUCER'], [5, 'CONSUMER'], [9, undefined]] as const) {
      expect(decode(envoyRequest([envoySpan({ kind })])).spans[0]!.kind).toBe(expected);
    }
  });

  it('respects the event, link and tag limits', () => {
    const ctx = new DecodeContext({ ...DEFAULT_SPAN_LIMITS, maxEventsPerSpan: 2, maxTagsPerSpan: 3, maxTagValueLength: 4 });
    const events = [1, 2, 3, 4].map((i) => ({ timeUnixNano: `${i}000000000000000000`, name: `e${i}` }));
    const links = [1, 2, 3].map((i) => ({ traceId: hex(TRACE), spanId: hex(`000000000000000${i}`) }));
    const s = decode(envoyRequest([envoySpan({ events, links })]), ctx).spans[0]!;
    expect(s.annotations?.map((a) => a.value)).toEqual(['e1', 'e2']);
    expect(s.links?.map((l) => l.spanId)).toEqual(['0000000000000001', '0000000000000002']);
    expect(tagValue(s, 'node_id')).toBe('side');
    expect(tagValue(s, 'upstream_cluster')).toBeUndefined();
    expect(ctx.tagsLimited).toBeGreaterThan(0);
  });

  it('rejects malformed spans with their path and running index, keeping the rest', () => {
    const good = envoySpan();
    const request = {
      resourceSpans: [
        { scopeSpans: [{ spans: [good, envoySpan({ traceId: hex('00000000000000000000000000000000') })] }] },
        {
          scopeSpans: [{ spans: [good] }, {
            spans: [
              envoySpan({ spanId: hex('01020304050607') }), envoySpan({ parentSpanId: hex('010203') }),
              envoySpan({ startTimeUnixNano: '0' }), envoySpan({ endTimeUnixNano: undefined }),
              envoySpan({ endTimeUnixNano: '1700000000123456788' }), good, envoySpan({ parentSpanId: undefined }),
            ],
          }],
        },
      ],
    };
    const { spans, rejected } = decode(request);
    expect(spans).toHaveLength(4);
    expect(spans[3]!.parentId).toBeUndefined();
    expect(rejected.map((r) => [r.index, r.reason])).toEqual([
      [1, 'invalid-trace-id'], [3, 'invalid-span-id'], [4, 'invalid-parent-id'], [5, 'invalid-timestamp'],
      [6, 'invalid-duration'], [7, 'invalid-duration'],
    ]);
    expect(rejected[0]!.message).toMatch(/^resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[1\]\.traceId: /);
    expect(rejected[1]!.message).toMatch(/^resourceSpans\[1\]\.scopeSpans\[1\]\.spans\[0\]\.spanId: /);
    expect(rejected[3]!.message).toMatch(/\.spans\[2\]\.startTimeUnixNano: missing/);
    expect(rejected[5]!.message).toMatch(/\.spans\[4\]\.endTimeUnixNano: before startTimeUnixNano/);
  });

  it('accepts an empty request and 64-bit trace ids', () => {
    expect(decodeOtlpProto(new Uint8Array(0), new DecodeContext(), 'otlp-grpc')).toEqual({ spans: [], rejected: [] });
    const s = decode(envoyRequest([envoySpan({ traceId: hex('d269b633813fc60c') })])).spans[0]!;
    expect([s.traceId, s.traceIdBits]).toEqual(['0000000000000000d269b633813fc60c', 64]);
  });

  it('throws OtlpPayloadError on bytes that are not a request', () => {
    for (const bytes of [[0x0f], [0x0a, 0xff, 0x01], [0x0a, 0x05, 0x12, 0x03], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]]) {
      expect(() => decodeOtlpProto(new Uint8Array(bytes), new DecodeContext(), 'otlp-proto')).toThrow(OtlpPayloadError);
    }
  });

  it('says what is wrong with malformed bytes, and counts nothing for a refused request', () => {
    const ctx = new DecodeContext({ ...DEFAULT_SPAN_LIMITS, maxTagsPerSpan: 1 });
    const good = Buffer.from(encode(envoyRequest([envoySpan()])));
    const cases: [Buffer, RegExp][] = [
      [good.subarray(0, good.length - 3), /runs past the end|truncated/], // truncated inside the last attribute
      [Buffer.concat([good, Buffer.from([0x0a, 0x80])]), /truncated varint at byte \d+/], // a second resource_spans with a cut length
      [Buffer.concat([good, Buffer.from([0x09, 1, 2, 3, 4, 5, 6, 7, 8])]), /field 1 has wire type fixed64, expected length-delimited/],
      [Buffer.concat([good, Buffer.from([0x0a, 0x02, 0x0f, 0x00])]), /invalid wire type 7 at byte/],
    ];
    for (const [bytes, reason] of cases) {
      expect(() => decodeOtlpProto(bytes, ctx, 'otlp-proto')).toThrow(OtlpPayloadError);
      expect(() => decodeOtlpProto(bytes, ctx, 'otlp-proto')).toThrow(reason);
      expect(() => decodeOtlpProto(bytes, ctx, 'otlp-proto')).toThrow(/^not an ExportTraceServiceRequest: /);
    }
    // The good prefix of each would have dropped tags over the limit; the refused requests took those counts back.
    expect(ctx.tagsLimited).toBe(0);
    decodeOtlpProto(good, ctx, 'otlp-proto');
    expect(ctx.tagsLimited).toBe(2); // one span attribute, one resource attribute
  });

  it('reads fields in any order and skips unknown ones, groups included', () => {
    const Span = otlpRoot.lookupType('opentelemetry.proto.trace.v1.Span');
    const spanBytes = Buffer.from(Span.encode(Span.fromObject(envoySpan())).finish());
    const { spans: [expected] } = decode(envoyRequest([envoySpan()]));
    // Field by field, hand-encoded in reverse order, with unknown fields (varint, fixed32, a group) between.
    const field = (n: number, content: Buffer): Buffer => Buffer.concat([Buffer.from([(n << 3) | 2, content.length]), content]);
    const unknown = Buffer.from([0xf8, 0x07, 0x05, 0xfd, 0x07, 1, 2, 3, 4, 0xfb, 0x07, 0x08, 0x01, 0xfc, 0x07]);
    const scope = Buffer.concat([unknown, lengthField(2, reverseFields(spanBytes))]);
    const resource = field(1, Buffer.concat([
      field(1, Buffer.concat([field(1, Buffer.from('service.name')), field(2, field(1, Buffer.from('reviews.default')))])),
      field(1, Buffer.concat([field(1, Buffer.from('telemetry.sdk.name')), field(2, field(1, Buffer.from('envoy')))])),
    ]));
    const resourceSpans = lengthField(1, Buffer.concat([lengthField(2, scope), unknown, resource]));
    const { spans, rejected } = decodeOtlpProto(resourceSpans, new DecodeContext(), 'otlp-proto');
    expect(rejected).toEqual([]);
    // Reversed, the attributes come in the opposite order: compare them as a set.
    expect({ ...spans[0], sharedTags: tagsToObject(spans[0]!) }).toEqual({ ...expected, sharedTags: tagsToObject(expected!) });
  });

  it('keeps no view into the request buffer', () => {
    const { spans } = decode(envoyRequest([envoySpan({ links: [{ traceId: hex(TRACE), spanId: hex('b7ad6b7169203331') }] })]));
    const seen = new Set<unknown>();
    const views: unknown[] = [];
    const walk = (v: unknown): void => {
      if (typeof v !== 'object' || v === null || seen.has(v)) return;
      seen.add(v);
      if (ArrayBuffer.isView(v)) views.push(v);
      else for (const x of Object.values(v)) walk(x);
    };
    spans.forEach(walk);
    expect(views).toEqual([]);
  });

  it('encodes the response type', () => {
    const response = { partialSuccess: { rejectedSpans: 2, errorMessage: 'bad spans' } };
    const bytes = ExportTraceServiceResponse.encode(ExportTraceServiceResponse.fromObject(response)).finish();
    expect(ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(bytes), { longs: Number })).toEqual(response);
  });
});
