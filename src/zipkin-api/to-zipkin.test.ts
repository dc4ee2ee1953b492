import { describe, it, expect } from 'vitest';
import { StatusCode, TagGroup } from '../model/index.js';
import type { Span } from '../model/index.js';
import { DecodeContext } from '../ingest/index.js';
import { decodeZipkinJson } from '../zipkin-ingest/index.js';
import { toZipkinSpan } from './to-zipkin.js';

/** An OTLP-origin span literal; tests override what they need. */
function otlpSpan(over: Partial<Span>): Span {
  return {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736', traceIdBits: 128, id: '00f067aa0ba902b7', parentId: undefined,
    kind: 'INTERNAL', name: 'Compute', timestampUs: 1_700_000_000_000_000, durationUs: 1500,
    startNanosRemainder: 123, endNanosRemainder: 456, localEndpoint: { serviceName: 'Checkout', ipv4: undefined, ipv6: undefined, port: undefined },
    remoteEndpoint: undefined, sharedTags: TagGroup.EMPTY, ownTags: ['order.id', '42'], annotations: undefined,
    shared: false, debug: false, statusCode: StatusCode.UNSET, statusMessage: undefined, error: false, links: undefined,
    traceState: undefined, source: 'otlp-grpc', mesh: undefined, requestId: undefined, httpStatus: undefined, responseFlags: undefined,
    ...over,
  };
}

function decodeOne(json: Record<string, unknown>): Span {
  const { spans, rejected } = decodeZipkinJson([json], new DecodeContext());
  expect(rejected).toEqual([]);
  return spans[0]!;
}

describe('toZipkinSpan', () => {
  it('round-trips a full Zipkin span, lowercasing names and keeping a 64-bit trace id at 16 hex', () => {
    const span = decodeOne({
      traceId: '463AC35C9F6413AD', parentId: '463ac35c9f6413ad', id: '72485a3953bb6124', kind: 'CLIENT',
      name: 'GET /Reviews', timestamp: 1_700_000_000_000_001, duration: 207_000,
      localEndpoint: { serviceName: 'ProductPage.Default', ipv4: '10.0.0.1', port: 9080 },
      remoteEndpoint: { ipv6: '2001:db8::c001', port: 443 },
      annotations: [{ timestamp: 1_700_000_000_000_100, value: 'ws' }],
      tags: { 'http.method': 'GET', 'guid:x-request-id': 'abc' }, debug: true, shared: true,
    });
    expect(toZipkinSpan(span)).toEqual({
      traceId: '463ac35c9f6413ad', parentId: '463ac35c9f6413ad', id: '72485a3953bb6124', kind: 'CLIENT',
      name: 'get /reviews', timestamp: 1_700_000_000_000_001, duration: 207_000,
      localEndpoint: { serviceName: 'productpage.default', ipv4: '10.0.0.1', port: 9080 },
      remoteEndpoint: { ipv6: '2001:db8::c001', port: 443 },
      annotations: [{ timestamp: 1_700_000_000_000_100, value: 'ws' }],
      tags: { 'http.method': 'GET', 'guid:x-request-id': 'abc' }, debug: true, shared: true,
    });
  });

  it('leaves out every absent field rather than sending null, undefined or false', () => {
    const json = toZipkinSpan(decodeOne({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', id: '1' }));
    expect(json).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', id: '0000000000000001' });
    expect(Object.keys(json).sort()).toEqual(['id', 'traceId']);
    expect(JSON.stringify(json)).not.toMatch(/null|false|undefined/);
  });

  it('drops an endpoint with nothing in it and an INTERNAL kind', () => {
    const json = toZipkinSpan(otlpSpan({ localEndpoint: { serviceName: '', ipv4: undefined, ipv6: undefined, port: 0 } }));
    expect(json.localEndpoint).toBeUndefined();
    expect(json.kind).toBeUndefined();
    expect(json.name).toBe('compute');
  });

  it('maps OTLP status ERROR to otel.status_code and an error tag holding the message', () => {
    const json = toZipkinSpan(otlpSpan({ statusCode: StatusCode.ERROR, statusMessage: 'card declined', error: true }));
    expect(json.tags).toEqual({ 'order.id': '42', 'otel.status_code': 'ERROR', error: 'card declined' });
    expect(json.localEndpoint).toEqual({ serviceName: 'checkout' });
  });

  it('writes an empty error tag for ERROR without a message, and keeps an error tag the span already has', () => {
    expect(toZipkinSpan(otlpSpan({ statusCode: StatusCode.ERROR })).tags?.['error']).toBe('');
    const tagged = otlpSpan({ statusCode: StatusCode.ERROR, statusMessage: 'x', ownTags: ['error', 'timeout'] });
    expect(toZipkinSpan(tagged).tags).toEqual({ error: 'timeout', 'otel.status_code': 'ERROR' });
  });

  it('maps OTLP status OK and leaves UNSET alone', () => {
    expect(toZipkinSpan(otlpSpan({ statusCode: StatusCode.OK })).tags).toEqual({ 'order.id': '42', 'otel.status_code': 'OK' });
    expect(toZipkinSpan(otlpSpan({})).tags).toEqual({ 'order.id': '42' });
  });

  it('does not add status tags to Zipkin-origin spans, whose error is already a tag', () => {
    const span = decodeOne({ traceId: '463ac35c9f6413ad', id: '2', tags: { error: 'true' } });
    expect(span.statusCode).toBe(StatusCode.ERROR);
    expect(toZipkinSpan(span).tags).toEqual({ error: 'true' });
  });
});
