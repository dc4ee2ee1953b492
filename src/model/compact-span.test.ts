import { describe, expect, it } from 'vitest';
import { CompactSpan, compactSpan, spanFields } from './compact-span.js';
import type { SourceFormat, Span, SpanKind } from './span.js';
import { StatusCode } from './span.js';
import { TagGroup } from './tags.js';

const base: Span = {
  traceId: '0af7651916cd43dd8448eb211c80319c', traceIdBits: 128, id: 'b7ad6b7169203331', parentId: undefined, kind: undefined,
  name: 'GET /', timestampUs: 1_700_000_000_123_456, durationUs: 1500, startNanosRemainder: -1, endNanosRemainder: -1,
  localEndpoint: { serviceName: 'web', ipv4: '10.0.0.1', ipv6: undefined, port: undefined }, remoteEndpoint: undefined,
  sharedTags: TagGroup.EMPTY, ownTags: ['http.url', '/'], annotations: undefined, shared: false, debug: false,
  statusCode: StatusCode.UNSET, statusMessage: undefined, error: false, links: undefined, traceState: undefined,
  source: 'zipkin-json', mesh: undefined, requestId: 'r-1', httpStatus: 200, responseFlags: undefined,
};

const KINDS: (SpanKind | undefined)[] = [undefined, 'CLIENT', 'SERVER', 'PRODUCER', 'CONSUMER', 'INTERNAL'];
const SOURCES: SourceFormat[] = ['zipkin-json', 'zipkin-proto', 'otlp-grpc', 'otlp-proto', 'otlp-json'];

describe('CompactSpan', () => {
  it('is made by compactSpan only, with the class\'s prototype and every stored field its own', () => {
    const s = compactSpan(base);
    expect(s).toBeInstanceOf(CompactSpan);
    expect(Object.keys(s)).toEqual([
      'traceId', 'id', 'parentId', 'name', 'startHigh', 'startLow', 'durationUs', 'localEndpoint',
      'sharedTags', 'ownTags', 'mesh', 'requestId', 'flags', 'nanos', 'rare',
    ]);
    expect(() => new (CompactSpan as unknown as new () => unknown)()).toThrow(/compactSpan/);
  });

  it('gives back every field it was built from, in every combination of the packed ones', () => {
    let checked = 0;
    for (const kind of KINDS) {
      for (const source of SOURCES) {
        for (const statusCode of [StatusCode.UNSET, StatusCode.OK, StatusCode.ERROR]) {
          for (let bits = 0; bits < 16; bits++) {
            const f: Span = {
              ...base, kind, source, statusCode, traceIdBits: (bits & 1) !== 0 ? 64 : 128,
              shared: (bits & 2) !== 0, debug: (bits & 4) !== 0, error: (bits & 8) !== 0,
            };
            expect(spanFields(compactSpan(f))).toEqual(f);
            checked++;
          }
        }
      }
    }
    expect(checked).toBe(KINDS.length * SOURCES.length * 3 * 16);
  });

  it('keeps nanosecond remainders from 0 to 999, each independently of the other, and -1 for none', () => {
    for (const [start, end] of [[-1, -1], [0, 0], [999, 0], [0, 999], [999, 999], [1, -1], [-1, 500], [123, 456]] as const) {
      const s = compactSpan({ ...base, startNanosRemainder: start, endNanosRemainder: end });
      expect([s.startNanosRemainder, s.endNanosRemainder]).toEqual([start, end]);
    }
  });

  it('refuses what it cannot hold instead of storing something else', () => {
    expect(() => compactSpan({ ...base, startNanosRemainder: 1000 })).toThrow(RangeError);
    expect(() => compactSpan({ ...base, endNanosRemainder: -2 })).toThrow(RangeError);
    expect(() => compactSpan({ ...base, endNanosRemainder: 1.5 })).toThrow(RangeError);
    expect(() => compactSpan({ ...base, kind: 'SIDEWAYS' as SpanKind })).toThrow(/kind/);
    expect(() => compactSpan({ ...base, source: 'carrier-pigeon' as SourceFormat })).toThrow(/source/);
    expect(() => compactSpan({ ...base, statusCode: 3 as StatusCode })).toThrow(/status code/);
    for (const httpStatus of [-1, 200.5, 1023, 100_000]) expect(() => compactSpan({ ...base, httpStatus })).toThrow(/HTTP status/);
  });

  it('keeps HTTP statuses from 0 to 999 beside the other packed fields, and none as none', () => {
    for (const httpStatus of [undefined, 0, 1, 200, 404, 503, 999]) {
      const f = { ...base, kind: 'SERVER' as const, error: true, debug: true, httpStatus };
      expect(spanFields(compactSpan(f))).toEqual(f);
    }
  });

  it('keeps every start time exactly, whole microseconds in two small integers and anything else aside', () => {
    for (const timestampUs of [0, 1, 2 ** 26 - 1, 2 ** 26, base.timestampUs, Number.MAX_SAFE_INTEGER, 2 ** 56 + 2 ** 20]) {
      const s = compactSpan({ ...base, timestampUs });
      expect(s.timestampUs).toBe(timestampUs);
      expect(s.rare).toBeUndefined();
      for (const part of [s.startHigh, s.startLow]) expect(Number.isInteger(part) && part >= 0 && part < 2 ** 31).toBe(true);
    }
    const negativeZero = compactSpan({ ...base, timestampUs: -0 });
    expect([Object.is(negativeZero.startHigh, 0), Object.is(negativeZero.startLow, 0), negativeZero.timestampUs]).toEqual([true, true, 0]);
    // A fixed64 start far past any real clock, a fraction: kept whole, apart from the split fields.
    for (const timestampUs of [2 ** 57, 2 ** 64 - 2 ** 12, 1.5]) {
      const s = compactSpan({ ...base, timestampUs });
      expect(s.timestampUs).toBe(timestampUs);
      expect([s.startHigh, s.startLow]).toEqual([-1, 0]);
    }
  });

  it('keeps the rarely set fields, each one alone and all together', () => {
    const rare: Partial<Span> = {
      remoteEndpoint: { serviceName: 'db', ipv4: undefined, ipv6: '::1', port: 5432 },
      annotations: [{ timestampUs: 1, value: 'cs' }],
      statusMessage: 'deadline exceeded',
      links: [{ traceId: base.traceId, spanId: 'aaaaaaaaaaaaaaaa', traceState: undefined, attributes: ['k', 'v'] }],
      traceState: 'vendor=1',
      responseFlags: 'UF,URX',
    };
    for (const [key, value] of Object.entries(rare)) {
      const f = { ...base, [key]: value };
      expect(spanFields(compactSpan(f))).toEqual(f);
    }
    const all = { ...base, ...rare };
    expect(spanFields(compactSpan(all))).toEqual(all);
  });

  it('compares unequal when any packed field differs, so tests comparing spans still see them', () => {
    const a = compactSpan(base);
    expect(compactSpan(base)).toEqual(a);
    const changes = [{ kind: 'CLIENT' }, { source: 'otlp-json' }, { shared: true }, { endNanosRemainder: 7 }, { traceState: 'x=1' },
      { httpStatus: 201 }, { httpStatus: undefined }, { responseFlags: 'NR' }, { timestampUs: base.timestampUs + 1 }, { timestampUs: base.timestampUs + 2 ** 26 }];
    for (const change of changes as Partial<Span>[]) {
      expect(compactSpan({ ...base, ...change })).not.toEqual(a);
    }
  });
});
