/**
 * The Zipkin proto3 wire decoder against a reference: protobufjs decoding followed by what the
 * decoder did with the decoded message before it read the wire itself. Whatever both accept, they
 * must turn into the same spans, rejections and counters; Envoy's byte order included.
 */
import { describe, expect, it } from 'vitest';
import type Long from 'long';
import { envoyBatches, rng } from '../../bench/envoy-spans.js';
import { zipkinProto } from '../../bench/encode.js';
import { DecodeContext } from '../ingest/context.js';
import { bytesToHex, internEndpoint, spanFields, spanIdFromBytes, traceIdFromBytes } from '../model/index.js';
import type { Annotation, DecodedBatch, Endpoint, Span, SpanKind, SpanRejection } from '../model/index.js';
import { buildZipkinSpan } from './build-span.js';
import { ZipkinPayloadError } from './decode-json.js';
import { decodeZipkinProto } from './decode-proto.js';
import { ListOfSpans } from './zipkin-proto.js';

interface ProtoEndpoint { serviceName?: string; ipv4?: Uint8Array; ipv6?: Uint8Array; port?: number }
interface ProtoSpan {
  traceId?: Uint8Array; parentId?: Uint8Array; id?: Uint8Array; kind?: number; name?: string;
  timestamp?: Long; duration?: Long; localEndpoint?: ProtoEndpoint | null; remoteEndpoint?: ProtoEndpoint | null;
  annotations?: { timestamp?: Long; value?: string }[]; tags?: Record<string, string>; debug?: boolean; shared?: boolean;
}

const KINDS: (SpanKind | undefined)[] = [undefined, 'CLIENT', 'SERVER', 'PRODUCER', 'CONSUMER'];
const EMPTY = new Uint8Array(0);
const toNumber = (v: Long | undefined): number => (v === undefined ? 0 : v.toNumber());

function reference(body: Buffer, ctx: DecodeContext): DecodedBatch {
  let message: { spans?: ProtoSpan[] };
  try {
    message = ListOfSpans.decode(body) as unknown as { spans?: ProtoSpan[] };
  } catch (err) {
    throw new ZipkinPayloadError(String(err));
  }
  const list = message.spans ?? [];
  const envoyLittleEndian = envoyByteOrder(list);
  const spans: Span[] = [];
  const rejected: SpanRejection[] = [];
  const reject = (i: number, reason: SpanRejection['reason'], field: string, detail: string): number =>
    rejected.push({ index: i, reason, message: `spans[${i}].${field}: ${detail}` });
  list.forEach((s, i) => {
    const swap = envoyLittleEndian && s.tags?.['component'] === 'proxy';
    const trace = traceIdFromBytes(s.traceId ?? EMPTY);
    if (trace === undefined) return reject(i, 'invalid-trace-id', 'traceId', 'not 8 or 16 bytes, or all zeros');
    const id = spanIdFromBytes(s.id ?? EMPTY, swap);
    if (id === undefined) return reject(i, 'invalid-span-id', 'id', 'not 8 bytes, or all zeros');
    let parentId: string | undefined;
    if (s.parentId !== undefined && s.parentId.length > 0) {
      parentId = spanIdFromBytes(s.parentId, swap);
      if (parentId === undefined) return reject(i, 'invalid-parent-id', 'parentId', 'not 8 bytes');
    }
    const packer = ctx.packer();
    packer.begin();
    let count = 0;
    for (const key in s.tags) if (!ctx.addTag(packer, count++, key, s.tags[key]!)) break;
    return spans.push(buildZipkinSpan(packer, {
      traceId: trace.traceId, traceIdBits: trace.bits, id, parentId, kind: KINDS[s.kind ?? 0], name: ctx.interner.string(s.name ?? ''),
      timestampUs: toNumber(s.timestamp), durationUs: toNumber(s.duration),
      localEndpoint: endpoint(s.localEndpoint, ctx), remoteEndpoint: endpoint(s.remoteEndpoint, ctx),
      annotations: annotations(s.annotations, ctx), debug: s.debug === true, shared: s.shared === true, source: 'zipkin-proto',
    }));
  });
  return { spans, rejected };
}

function envoyByteOrder(list: ProtoSpan[]): boolean {
  for (const s of list) {
    const t = s.traceId ?? EMPTY;
    const id = s.id ?? EMPTY;
    if ((s.parentId?.length ?? 0) !== 0 || id.length !== 8 || t.length < 8) continue;
    const low = bytesToHex(t, t.length - 8, 8);
    if (bytesToHex(id) === low) return false;
    if (bytesToHex(id, 0, 8, true) === low) return true;
  }
  return true;
}

function endpoint(e: ProtoEndpoint | null | undefined, ctx: DecodeContext): Endpoint | undefined {
  if (e === undefined || e === null) return undefined;
  const b4 = e.ipv4;
  const ipv4 = b4?.length === 4 ? `${b4[0]}.${b4[1]}.${b4[2]}.${b4[3]}` : undefined;
  const b6 = e.ipv6;
  const ipv6 = b6?.length === 16 ? Array.from({ length: 8 }, (_, i) => ((b6[2 * i]! << 8) | b6[2 * i + 1]!).toString(16)).join(':') : undefined;
  return internEndpoint(ctx.interner, e.serviceName || undefined, ipv4, ipv6, e.port || undefined);
}

function annotations(list: ProtoSpan['annotations'], ctx: DecodeContext): Annotation[] | undefined {
  if (list === undefined || list.length === 0) return undefined;
  return list.slice(0, ctx.limits.maxEventsPerSpan).map((a) => ({ timestampUs: toNumber(a.timestamp), value: a.value ?? '' }));
}

/** Spans with their shared group as its tags, so equal content compares equal. */
const comparable = (b: DecodedBatch): unknown => ({
  rejected: b.rejected,
  spans: b.spans.map((s) => ({ ...spanFields(s), sharedTags: s.sharedTags.tags })),
});

function both(body: Buffer): { wire: unknown; reference: unknown } | undefined {
  const limits = { maxTagsPerSpan: 6, maxTagValueLength: 30, maxEventsPerSpan: 2 };
  const wireCtx = new DecodeContext(limits);
  const refCtx = new DecodeContext(limits);
  let wire: DecodedBatch;
  try {
    wire = decodeZipkinProto(body, wireCtx);
  } catch (err) {
    expect(err).toBeInstanceOf(ZipkinPayloadError);
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

const hex = (h: string): Buffer => Buffer.from(h, 'hex');

function randomRequest(r: () => number): Buffer {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const tags = (): Record<string, string> => {
    const out: Record<string, string> = {};
    for (let i = Math.floor(r() * 9); i > 0; i--) out[pick(['component', 'node_id', 'http.url', 'authorization', '2', '10', '__x', 'istio.a', ''])] = pick(['proxy', 'v', '', 'x'.repeat(40), 'é']);
    return out;
  };
  const endpoint = (): ProtoEndpoint => ({
    serviceName: pick(['frontend', '', 'reviews.default']), ipv4: Uint8Array.from([10, 0, 0, 1, 9].slice(0, pick([4, 4, 5, 0]))),
    ipv6: r() < 0.3 ? Uint8Array.from({ length: pick([16, 15]) }, (_, i) => i * 17) : undefined, port: pick([0, 9080, -1]),
  });
  const spans = Array.from({ length: Math.floor(r() * 6) }, () => ({
    traceId: hex(pick(['4d1e00c0db9010db86154a4ba6e91385', '86154a4ba6e91385', '00', '0000000000000000'])),
    id: hex(pick(['86154a4ba6e91385', '85136ea64b4a1586', '0000000000000000', '0102'])),
    parentId: r() < 0.4 ? undefined : hex(pick(['1111111111111111', '01'])),
    kind: Math.floor(r() * 7) - 1, name: pick(['get', '', undefined]),
    timestamp: pick([0, 1472470996199000, 2 ** 60]), duration: pick([0, 207000, 2 ** 54]),
    localEndpoint: r() < 0.8 ? endpoint() : undefined, remoteEndpoint: r() < 0.3 ? endpoint() : undefined,
    annotations: Array.from({ length: Math.floor(r() * 4) }, () => ({ timestamp: pick([0, 1472470996199000]), value: pick(['cs', '']) })),
    tags: tags(), debug: r() < 0.2, shared: r() < 0.2,
  }));
  return Buffer.from(ListOfSpans.encode(ListOfSpans.create({ spans })).finish());
}

/** A map entry written by hand, so keys can repeat within one span (protobufjs's encoder cannot). */
function entry(key: string, value: string): Buffer {
  const k = Buffer.from(key);
  const v = Buffer.from(value);
  const content = Buffer.concat([Buffer.from([0x0a, k.length]), k, Buffer.from([0x12, v.length]), v]);
  return Buffer.concat([Buffer.from([0x5a, content.length]), content]);
}

describe('the Zipkin proto3 wire decoder matches protobufjs + normalization', () => {
  it('on Envoy batches in either byte order', () => {
    for (const batch of envoyBatches(1000, 100, 3)) {
      for (const littleEndian of [true, false]) {
        const result = both(zipkinProto(batch, littleEndian));
        expect(result).toBeDefined();
        expect(result!.wire).toEqual(result!.reference);
      }
    }
  });

  it('on random spans: endpoints, annotations, index-like and repeated tag keys, rejections', () => {
    const r = rng(0x21b);
    for (let i = 0; i < 500; i++) {
      const result = both(randomRequest(r));
      expect(result).toBeDefined();
      expect(result!.wire).toEqual(result!.reference);
    }
  });

  it('on tag keys repeated within a span, index-like and __proto__', () => {
    const head = ListOfSpans.encode(ListOfSpans.create({ spans: [{ traceId: hex('86154a4ba6e91385'), id: hex('1111111111111111') }] })).finish();
    const span = Buffer.from(head.subarray(2)); // the one span's fields, after the list's tag and length
    const bodyWith = (tags: Buffer[]): Buffer => {
      const content = Buffer.concat([span, ...tags]);
      return Buffer.concat([Buffer.from([0x0a, content.length]), content]);
    };
    const cases: [Buffer, string[]][] = [
      [bodyWith([entry('a', '1'), entry('7', 'x'), entry('b', '2'), entry('a', '3'), entry('__proto__', 'p'), entry('3', 'y')]),
        ['3', 'y', '7', 'x', 'a', '3', 'b', '2', '__proto__', 'p']],
      [bodyWith([entry('b', '1'), entry('10', 'x'), entry('a', '2'), entry('2', 'y'), entry('4294967295', 'z')]),
        ['2', 'y', '10', 'x', 'b', '1', 'a', '2', '4294967295', 'z']],
    ];
    for (const [body, expected] of cases) {
      const result = both(body);
      expect(result).toBeDefined();
      expect(result!.wire).toEqual(result!.reference);
      const [s] = decodeZipkinProto(body, new DecodeContext()).spans;
      expect(s!.ownTags).toEqual(expected);
    }
  });

  it('on mutated bytes, whenever both accept them', () => {
    const r = rng(0xbad);
    let compared = 0;
    for (let i = 0; i < 1500; i++) {
      const bytes = randomRequest(r);
      for (let n = 1 + Math.floor(r() * 3); n > 0 && bytes.length > 0; n--) bytes[Math.floor(r() * bytes.length)] = Math.floor(r() * 256);
      const result = both(bytes);
      if (result === undefined) continue;
      compared++;
      expect(result.wire).toEqual(result.reference);
    }
    expect(compared).toBeGreaterThan(300);
  });
});
