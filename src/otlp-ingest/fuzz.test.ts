import { describe, it, expect } from 'vitest';
import { DecodeContext } from '../ingest/context.js';
import type { DecodedBatch } from '../model/index.js';
import { OtlpPayloadError } from './errors.js';
import { decodeOtlpJson } from './decode-json.js';
import { decodeOtlpProto } from './decode-proto.js';
import { ExportTraceServiceRequest } from './otlp-proto.js';
import { rng } from '../../bench/envoy-spans.js';

/** The benchmark's seeded PRNG, so a failure reproduces. */
const prng = rng;

const attr = (key: string, value: object): object => ({ key, value });
const VALID = {
  resourceSpans: [{
    resource: { attributes: [attr('service.name', { stringValue: 'reviews.default' })] },
    scopeSpans: [{
      scope: { name: 'envoy', version: '1' },
      spans: [{
        traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', parentSpanId: '00f067aa0ba902b7',
        name: 'GET', kind: 2, startTimeUnixNano: '1700000000123456789', endTimeUnixNano: '1700000000223456789',
        attributes: [
          attr('node_id', { stringValue: 'sidecar~10.0.0.1~reviews-v1-abc.default~default.svc.cluster.local' }),
          attr('n', { intValue: '-42' }), attr('d', { doubleValue: 2.5 }), attr('b', { bytesValue: 'AQID' }),
          attr('kv', { kvlistValue: { values: [attr('x', { arrayValue: { values: [{ boolValue: true }] } })] } }),
        ],
        events: [{ timeUnixNano: '1700000000150000000', name: 'retry' }],
        links: [{ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: '00f067aa0ba902b8' }],
        status: { code: 2, message: 'boom' },
      }],
    }],
  }],
};
const VALID_PROTO = ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject({
  resourceSpans: (JSON.parse(JSON.stringify(VALID).replace(/"(traceId|spanId|parentSpanId)":"([0-9a-f]+)"/g,
    (_m, k: string, h: string) => `"${k}":"${Buffer.from(h, 'hex').toString('base64')}"`)) as typeof VALID).resourceSpans,
})).finish();

const KEYS = [
  'resourceSpans', 'resource_spans', 'scopeSpans', 'scope_spans', 'instrumentationLibrarySpans', 'spans', 'resource',
  'scope', 'attributes', 'key', 'value', 'stringValue', 'intValue', 'int_value', 'boolValue', 'doubleValue', 'bytesValue',
  'arrayValue', 'kvlistValue', 'values', 'traceId', 'trace_id', 'spanId', 'parentSpanId', 'name', 'kind', 'startTimeUnixNano',
  'endTimeUnixNano', 'events', 'links', 'status', 'code', 'message', 'timeUnixNano', 'traceState', 'version', 'low', 'high',
  '__proto__', 'constructor', 'toString', 'hasOwnProperty',
];
const STRINGS = [
  '', '0', '-1', '18446744073709551615', '18446744073709551616', '1700000000123456789', '1e18', 'NaN', 'Infinity',
  '0af7651916cd43dd8448eb211c80319c', '00000000000000000000000000000000', 'b7ad6b7169203331', 'CvdlGRbNQ92ESOshHIAxnA==',
  't61rcWkgMzE=', 'AAAAAAAAAAA=', '====', 'SPAN_KIND_SERVER', 'STATUS_CODE_ERROR', 'hasOwnProperty', '\u0001\u0002', 'é😀',
];
const NUMBERS = [0, -1, 1.5, 2, 3, 1e21, 2 ** 53 + 2, 1544712660000000000, -0, Number.MAX_VALUE];

function randomJson(r: () => number, depth: number): unknown {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(r() * list.length)]!;
  const n = r();
  if (depth > 6 || n < 0.35) return pick<unknown>([null, true, false, pick(NUMBERS), pick(STRINGS), pick(STRINGS), pick(KEYS)]);
  if (n < 0.55) return Array.from({ length: Math.floor(r() * 4) }, () => randomJson(r, depth + 1));
  const o: Record<string, unknown> = {};
  // defineProperty makes `__proto__` an own key, as JSON.parse does.
  for (let i = Math.floor(r() * 5); i > 0; i--) {
    Object.defineProperty(o, pick(KEYS), { value: randomJson(r, depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return o;
}

const ANY_KEYS = [
  'stringValue', 'boolValue', 'intValue', 'doubleValue', 'bytesValue', 'arrayValue', 'kvlistValue', 'string_value',
  'int_value', 'double_value', 'bytes_value', 'array_value', 'kvlist_value',
];
const IDS = ['0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331', 'CvdlGRbNQ92ESOshHIAxnA==', 't61rcWkgMzE=', '', 'zz'];
const TIMES: unknown[] = ['1700000000123456789', '1700000000223456789', 1544712660000000000, '0', '-5', 'x', 3.5, null];
const ENUMS: unknown[] = [0, 1, 2, 3, 5, 7, -1, 1.5, 'SPAN_KIND_SERVER', 'STATUS_CODE_ERROR', '2', 'bogus'];

/**
 * Almost-valid requests: the right shape at every level, with a random value swapped in now and
 * then, so the fuzz reaches attribute rendering, events and links and not just the top level.
 */
function randomRequest(r: () => number): unknown {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(r() * list.length)]!;
  const maybe = (good: () => unknown): unknown => (r() < 0.9 ? good() : randomJson(r, 5));
  const list = (item: () => unknown): unknown => maybe(() => Array.from({ length: Math.floor(r() * 4) }, item));
  const scalar = (): unknown => pick<unknown>([pick(STRINGS), pick(NUMBERS), true, false, null, pick(TIMES)]);
  const anyValue = (depth: number): unknown => maybe(() => {
    const key = depth > 5 ? 'stringValue' : pick(ANY_KEYS);
    if (key.startsWith('array')) return { [key]: { values: list(() => anyValue(depth + 1)) } };
    if (key.startsWith('kvlist')) return { [key]: { values: keyValues(depth + 1) } };
    return { [key]: scalar() };
  });
  const keyValues = (depth: number): unknown => list(() => maybe(() => ({ key: maybe(() => pick(KEYS)), value: anyValue(depth) })));
  const span = (): unknown => maybe(() => ({
    traceId: pick(IDS), spanId: pick(IDS), parentSpanId: pick(IDS), name: maybe(() => pick(STRINGS)), kind: pick(ENUMS),
    startTimeUnixNano: pick(TIMES), end_time_unix_nano: pick(TIMES), attributes: keyValues(0), traceState: scalar(),
    events: list(() => maybe(() => ({ timeUnixNano: pick(TIMES), name: scalar(), attributes: keyValues(0) }))),
    links: list(() => maybe(() => ({ traceId: pick(IDS), spanId: pick(IDS), attributes: keyValues(0) }))),
    status: maybe(() => ({ code: pick(ENUMS), message: scalar() })),
  }));
  const scope = (): unknown => maybe(() => ({ name: scalar(), version: scalar(), attributes: keyValues(0) }));
  return {
    resourceSpans: list(() => maybe(() => ({
      resource: maybe(() => ({ attributes: keyValues(0) })),
      scopeSpans: list(() => maybe(() => ({ scope: scope(), spans: list(span) }))),
    }))),
  };
}

/** Replaces one random node of a copy of `value` with a random JSON value. */
function mutateJson(value: unknown, r: () => number): unknown {
  const copy: unknown = JSON.parse(JSON.stringify(value));
  let node = copy;
  for (let depth = 0; depth < 12; depth++) {
    if (typeof node !== 'object' || node === null) break;
    const keys = Object.keys(node);
    if (keys.length === 0) break;
    const key = keys[Math.floor(r() * keys.length)]!;
    const child: unknown = (node as Record<string, unknown>)[key];
    if (r() < 0.25 || typeof child !== 'object' || child === null) {
      (node as Record<string, unknown>)[key] = r() < 0.2 ? undefined : randomJson(r, 4);
      break;
    }
    node = child;
  }
  return copy;
}

function mutateBytes(bytes: Uint8Array, r: () => number): Uint8Array {
  const out = Array.from(bytes);
  for (let i = 1 + Math.floor(r() * 4); i > 0; i--) {
    const at = Math.floor(r() * out.length);
    const op = r();
    if (op < 0.5) out[at] = Math.floor(r() * 256);
    else if (op < 0.7) out.splice(at, 1 + Math.floor(r() * 8));
    else if (op < 0.85) out.splice(at, 0, ...Array.from({ length: 1 + Math.floor(r() * 8) }, () => Math.floor(r() * 256)));
    else out.length = at;
  }
  return Uint8Array.from(out);
}

/** Decodes, accepting only OtlpPayloadError as a failure, and checks what comes out. */
function attempt(decode: () => DecodedBatch, problems: string[]): number {
  let batch: DecodedBatch;
  try {
    batch = decode();
  } catch (err) {
    if (!(err instanceof OtlpPayloadError)) problems.push(String(err));
    return 0;
  }
  for (const s of batch.spans) {
    const ok = /^[0-9a-f]{32}$/.test(s.traceId) && /^[0-9a-f]{16}$/.test(s.id) && Number.isSafeInteger(s.timestampUs)
      && s.timestampUs > 0 && Number.isSafeInteger(s.durationUs) && s.durationUs >= 0
      && s.startNanosRemainder >= 0 && s.startNanosRemainder < 1000 && s.endNanosRemainder >= 0 && s.endNanosRemainder < 1000;
    if (!ok) problems.push(`bad span ${JSON.stringify({ ...s, sharedTags: undefined, mesh: undefined })}`);
  }
  if (batch.rejected.some((r) => !r.message.startsWith('resourceSpans['))) problems.push('rejection without a path');
  return batch.spans.length;
}

describe('fuzz', () => {
  it('protobuf: random and mutated buffers only ever throw OtlpPayloadError', () => {
    const r = prng(0x5eed);
    const ctx = new DecodeContext();
    const problems: string[] = [];
    let decodedSpans = 0;
    for (let i = 0; i < 3000; i++) {
      const random = Uint8Array.from({ length: Math.floor(r() * 200) }, () => Math.floor(r() * 256));
      attempt(() => decodeOtlpProto(random, ctx, 'otlp-proto'), problems);
      decodedSpans += attempt(() => decodeOtlpProto(mutateBytes(VALID_PROTO, r), ctx, 'otlp-grpc'), problems);
    }
    expect(problems.slice(0, 5)).toEqual([]);
    // The mutations must leave many requests decodable, or they test nothing past the parser.
    expect(decodedSpans).toBeGreaterThan(300);
  });

  it('JSON: random and mutated values only ever throw OtlpPayloadError', () => {
    const r = prng(0xc0ffee);
    const ctx = new DecodeContext();
    const problems: string[] = [];
    let decodedSpans = 0;
    for (let i = 0; i < 3000; i++) {
      attempt(() => decodeOtlpJson(randomJson(r, 0), ctx), problems);
      attempt(() => decodeOtlpJson({ resourceSpans: [{ scopeSpans: [{ spans: [randomJson(r, 2)] }] }] }, ctx), problems);
      decodedSpans += attempt(() => decodeOtlpJson(mutateJson(VALID, r), ctx), problems);
      decodedSpans += attempt(() => decodeOtlpJson(randomRequest(r), ctx), problems);
    }
    expect(problems.slice(0, 5)).toEqual([]);
    expect(decodedSpans).toBeGreaterThan(300);
  });
});
