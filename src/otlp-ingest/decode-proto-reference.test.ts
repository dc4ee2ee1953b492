/**
 * The wire decoder against a reference: protobufjs decoding followed by the normalization the
 * decoder did before it read the wire itself (build-span.ts helpers, which the JSON decoder still
 * uses). Whatever both accept, they must turn into the same spans, rejections and counters.
 */
import { describe, expect, it } from 'vitest';
import type Long from 'long';
import { envoyBatches, rng } from '../../bench/envoy-spans.js';
import { otlpProto } from '../../bench/encode.js';
import { DecodeContext } from '../ingest/context.js';
import { spanFields, spanIdFromBytes, traceIdFromBytes } from '../model/index.js';
import type { Annotation, DecodedBatch, Span, SpanLink, SpanRejection } from '../model/index.js';
import { longToBigInt } from './any-value.js';
import {
  OTLP_KINDS, addAttributes, buildOtlpSpan, eventAnnotation, flatAttributes, rejection, resourceInfo, scopeContext,
  spanTimes, statusCode,
} from './build-span.js';
import { decodeOtlpProto } from './decode-proto.js';
import { OtlpPayloadError } from './errors.js';
import { ExportTraceServiceRequest } from './otlp-proto.js';

interface ProtoEvent { timeUnixNano?: Long; name?: string }
interface ProtoLink { traceId?: Uint8Array; spanId?: Uint8Array; traceState?: string; attributes?: unknown[] }
interface ProtoSpan {
  traceId?: Uint8Array; spanId?: Uint8Array; traceState?: string; parentSpanId?: Uint8Array; name?: string;
  kind?: number; startTimeUnixNano?: Long; endTimeUnixNano?: Long; attributes?: unknown[];
  events?: ProtoEvent[]; links?: ProtoLink[]; status?: { message?: string; code?: number } | null;
}
interface ProtoRequest {
  resourceSpans?: { resource?: { attributes?: unknown[] } | null; scopeSpans?: { scope?: unknown; spans?: ProtoSpan[] }[] }[];
}

const EMPTY = new Uint8Array(0);
const nanos = (v: Long | undefined): bigint => (v === undefined ? 0n : longToBigInt(v));

/** The reference: protobufjs, then the field-by-field normalization. */
function reference(body: Buffer, ctx: DecodeContext): DecodedBatch {
  let message: ProtoRequest;
  try {
    message = ExportTraceServiceRequest.decode(body) as unknown as ProtoRequest;
  } catch (err) {
    throw new OtlpPayloadError(String(err));
  }
  const spans: Span[] = [];
  const rejected: SpanRejection[] = [];
  const packer = ctx.packer();
  let index = 0;
  (message.resourceSpans ?? []).forEach((rs, r) => {
    const resource = resourceInfo(ctx, rs.resource?.attributes);
    (rs.scopeSpans ?? []).forEach((ss, s) => {
      const scope = scopeContext(ctx, packer, resource, ss.scope);
      (ss.spans ?? []).forEach((span, k) => {
        const at = { index: index++, path: `resourceSpans[${r}].scopeSpans[${s}].spans[${k}]` };
        const trace = traceIdFromBytes(span.traceId ?? EMPTY);
        if (trace === undefined) return rejected.push(rejection(at.index, 'invalid-trace-id', at.path + '.traceId', 'not 16 (or 8) bytes, or all zeros'));
        const id = spanIdFromBytes(span.spanId ?? EMPTY);
        if (id === undefined) return rejected.push(rejection(at.index, 'invalid-span-id', at.path + '.spanId', 'not 8 bytes, or all zeros'));
        const parentBytes = span.parentSpanId ?? EMPTY;
        const parentId = parentBytes.length === 0 ? undefined : spanIdFromBytes(parentBytes);
        if (parentBytes.length > 0 && parentId === undefined) {
          return rejected.push(rejection(at.index, 'invalid-parent-id', at.path + '.parentSpanId', 'not 8 bytes, or all zeros'));
        }
        const times = spanTimes(nanos(span.startTimeUnixNano), nanos(span.endTimeUnixNano));
        if ('reason' in times) return rejected.push(rejection(at.index, times.reason, `${at.path}.${times.field}`, times.detail));
        packer.begin(scope.base);
        addAttributes(ctx, packer, span.attributes);
        const status = span.status ?? {};
        return spans.push(buildOtlpSpan(packer, scope, {
          trace, id, parentId, times, kind: OTLP_KINDS[span.kind ?? 0], name: ctx.interner.string(span.name ?? ''),
          traceState: span.traceState || undefined, statusCode: statusCode(status.code), statusMessage: status.message || undefined,
          annotations: events(span.events ?? [], ctx), links: links(span.links ?? [], ctx), source: 'otlp-proto',
        }));
      });
    });
  });
  return { spans, rejected };
}

function events(list: ProtoEvent[], ctx: DecodeContext): Annotation[] | undefined {
  const out: Annotation[] = [];
  for (const e of list) {
    if (out.length >= ctx.limits.maxEventsPerSpan) break;
    const a = eventAnnotation(ctx, nanos(e.timeUnixNano), e.name);
    if (a !== undefined) out.push(a);
  }
  return out.length > 0 ? out : undefined;
}

function links(list: ProtoLink[], ctx: DecodeContext): SpanLink[] | undefined {
  const out: SpanLink[] = [];
  for (const l of list) {
    if (out.length >= ctx.limits.maxEventsPerSpan) break;
    const trace = traceIdFromBytes(l.traceId ?? EMPTY);
    const spanId = spanIdFromBytes(l.spanId ?? EMPTY);
    if (trace === undefined || spanId === undefined) continue;
    out.push({ traceId: trace.traceId, spanId, traceState: l.traceState || undefined, attributes: flatAttributes(ctx, l.attributes) });
  }
  return out.length > 0 ? out : undefined;
}

/** Spans with their shared group as its tags, so equal content compares equal. */
const comparable = (b: DecodedBatch): unknown => ({
  rejected: b.rejected,
  spans: b.spans.map((s) => ({ ...spanFields(s), source: undefined, sharedTags: s.sharedTags.tags })),
});

/** Decodes with both, each with a fresh context; undefined when either refuses the bytes. */
function both(body: Buffer): { wire: unknown; reference: unknown } | undefined {
  const wireCtx = new DecodeContext({ maxTagsPerSpan: 8, maxTagValueLength: 40, maxEventsPerSpan: 2 });
  const refCtx = new DecodeContext({ maxTagsPerSpan: 8, maxTagValueLength: 40, maxEventsPerSpan: 2 });
  let wire: DecodedBatch;
  try {
    wire = decodeOtlpProto(body, wireCtx, 'otlp-proto');
  } catch (err) {
    expect(err).toBeInstanceOf(OtlpPayloadError);
    return undefined;
  }
  let ref: DecodedBatch;
  try {
    ref = reference(body, refCtx);
  } catch {
    return undefined;
  }
  const counters = (c: DecodeContext): number[] => [c.tagsLimited, c.redactor.redacted];
  return { wire: [comparable(wire), counters(wireCtx)], reference: [comparable(ref), counters(refCtx)] };
}

/** A random AnyValue as protobufjs takes it: every member type, nesting past the render depth limit. */
function anyValue(r: () => number, depth: number): Record<string, unknown> {
  const n = r();
  if (depth < 40 && n < 0.15) return { arrayValue: { values: Array.from({ length: Math.floor(r() * 3) }, () => anyValue(r, depth + 1)) } };
  if (depth < 40 && n < 0.3) return { kvlistValue: { values: Array.from({ length: Math.floor(r() * 3) }, () => keyValue(r, depth + 1)) } };
  if (n < 0.45) return { intValue: [0, -1, 42, 2 ** 53 + 3, -(2 ** 60), 1e15][Math.floor(r() * 6)] };
  if (n < 0.55) return { doubleValue: [0.5, -0, NaN, Infinity, -Infinity, 1e21, 3][Math.floor(r() * 7)] };
  if (n < 0.62) return { boolValue: r() < 0.5 };
  if (n < 0.7) return { bytesValue: Uint8Array.from([1, 2, 3, 250].slice(0, Math.floor(r() * 5))) };
  if (n < 0.75) return {};
  if (n < 0.8) return { stringValue: 'a', intValue: 7 }; // two oneof members: the reader's priority decides
  return { stringValue: ['', 'GET', 'é😀', 'a\u0001b', '"quoted"', 'x'.repeat(50)][Math.floor(r() * 6)] };
}

function keyValue(r: () => number, depth: number): Record<string, unknown> {
  const kv: Record<string, unknown> = {};
  if (r() < 0.9) kv['key'] = ['k', '', 'authorization', 'http.url', 'node_id', 'istio.x', 'é'][Math.floor(r() * 7)];
  if (r() < 0.9) kv['value'] = anyValue(r, depth);
  return kv;
}

const hex = (h: string): Buffer => Buffer.from(h, 'hex');

function randomRequest(r: () => number): Buffer {
  const span = (): Record<string, unknown> => ({
    traceId: hex(['0af7651916cd43dd8448eb211c80319c', 'd269b633813fc60c', '00', '00000000000000000000000000000000'][Math.floor(r() * 4)]!),
    spanId: hex(['b7ad6b7169203331', '0000000000000000', '01'][Math.floor(r() * 3)]!),
    parentSpanId: r() < 0.3 ? undefined : hex(['00f067aa0ba902b7', '0102'][Math.floor(r() * 2)]!),
    name: r() < 0.8 ? 'GET /x' : undefined, kind: Math.floor(r() * 8) - 1, traceState: r() < 0.2 ? 'a=b' : undefined,
    startTimeUnixNano: ['1700000000123456789', '0', '18446744073709551615', '1'][Math.floor(r() * 4)],
    endTimeUnixNano: ['1700000000223456789', '1700000000123456788', '0', '2'][Math.floor(r() * 4)],
    attributes: Array.from({ length: Math.floor(r() * 12) }, () => keyValue(r, 0)),
    events: Array.from({ length: Math.floor(r() * 4) }, () => ({ timeUnixNano: r() < 0.8 ? '1700000000150000000' : '0', name: r() < 0.7 ? 'retry' : undefined })),
    links: Array.from({ length: Math.floor(r() * 4) }, () => ({ traceId: hex(r() < 0.8 ? '0af7651916cd43dd8448eb211c80319c' : '00'), spanId: hex('00f067aa0ba902b8'), traceState: r() < 0.5 ? 'x=y' : '', attributes: [keyValue(r, 0)] })),
    status: r() < 0.5 ? { code: Math.floor(r() * 4), message: r() < 0.5 ? 'boom' : '' } : undefined,
  });
  const request = {
    resourceSpans: Array.from({ length: 1 + Math.floor(r() * 2) }, () => ({
      resource: r() < 0.8 ? { attributes: Array.from({ length: Math.floor(r() * 4) }, () => keyValue(r, 0)) } : undefined,
      scopeSpans: Array.from({ length: 1 + Math.floor(r() * 2) }, () => ({
        scope: r() < 0.7 ? { name: r() < 0.5 ? 'io.envoy' : '', version: '1.31' } : undefined,
        spans: Array.from({ length: Math.floor(r() * 4) }, span),
      })),
    })),
  };
  return Buffer.from(ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(request)).finish());
}

function mutate(bytes: Buffer, r: () => number): Buffer {
  const out = Buffer.from(bytes);
  for (let i = 1 + Math.floor(r() * 3); i > 0 && out.length > 0; i--) out[Math.floor(r() * out.length)] = Math.floor(r() * 256);
  return out;
}

describe('the protobuf wire decoder matches protobufjs + normalization', () => {
  it('on the benchmark\'s Envoy batches', () => {
    for (const batch of envoyBatches(2000, 100, 11)) {
      const result = both(otlpProto(batch));
      expect(result).toBeDefined();
      expect(result!.wire).toEqual(result!.reference);
    }
  });

  it('on random requests with every AnyValue shape, limits hit and spans rejected', () => {
    const r = rng(0xabcdef);
    for (let i = 0; i < 400; i++) {
      const result = both(randomRequest(r));
      expect(result).toBeDefined();
      expect(result!.wire).toEqual(result!.reference);
    }
  });

  it('on values nested around the depth where rendering stops', () => {
    const nested = (depth: number, kv: boolean): Record<string, unknown> => {
      let v: Record<string, unknown> = { intValue: depth };
      for (let i = 0; i < depth; i++) v = kv ? { kvlistValue: { values: [{ key: `k${i}`, value: v }] } } : { arrayValue: { values: [v, { boolValue: true }] } };
      return v;
    };
    // protobufjs refuses messages nested past 100 levels (a kvlist level is three): stay within.
    const attributes = [
      ...[30, 31, 32, 33, 40].map((d) => ({ key: `a${d}`, value: nested(d, false) })),
      ...[29, 30].map((d) => ({ key: `m${d}`, value: nested(d, true) })),
    ];
    const body = Buffer.from(ExportTraceServiceRequest.encode(ExportTraceServiceRequest.create({ resourceSpans: [{ scopeSpans: [{ spans: [{
      traceId: hex('0af7651916cd43dd8448eb211c80319c'), spanId: hex('b7ad6b7169203331'),
      startTimeUnixNano: 1700000000123456, endTimeUnixNano: 1700000000223456, attributes,
    }] }] }] })).finish());
    const ctx = (): DecodeContext => new DecodeContext({ maxTagsPerSpan: 20, maxTagValueLength: 4096, maxEventsPerSpan: 2 });
    const wire = decodeOtlpProto(body, ctx(), 'otlp-proto');
    expect(comparable(wire)).toEqual(comparable(reference(body, ctx())));
    expect(wire.spans[0]!.ownTags.join(' ')).toContain('null');
  });

  it('on mutated requests, whenever both accept the bytes', () => {
    const r = rng(0x5eed5);
    let compared = 0;
    for (let i = 0; i < 1500; i++) {
      const result = both(mutate(randomRequest(r), r));
      if (result === undefined) continue;
      compared++;
      expect(result.wire).toEqual(result.reference);
    }
    expect(compared).toBeGreaterThan(300);
  });
});
