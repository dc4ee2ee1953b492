/**
 * The byte-level Zipkin JSON reader against the general decoder (`JSON.parse` + decodeZipkinJson):
 * whenever the reader accepts a body, both must give the same spans, rejections and counters; and
 * it must accept what senders really write, or it would be a test of nothing.
 */
import { describe, expect, it } from 'vitest';
import { envoyBatches, rng } from '../../bench/envoy-spans.js';
import { flip, int, mutateJson, splice, truncate } from '../../test/helpers/fuzz.js';
import type { Rand } from '../../test/helpers/fuzz.js';
import { DecodeContext } from '../ingest/context.js';
import type { DecodedBatch } from '../model/index.js';
import { decodeZipkinJson } from './decode-json.js';
import { scanZipkinJson } from './json-scan.js';

interface Compared { readonly fast: DecodedBatch | undefined; readonly general: DecodedBatch | Error; readonly limited: [number, number] }

const SMALL_LIMITS = { maxTagsPerSpan: 8, maxTagValueLength: 12, maxEventsPerSpan: 2 };

function compare(body: Buffer, limits = SMALL_LIMITS): Compared {
  const fastCtx = new DecodeContext(limits);
  const generalCtx = new DecodeContext(limits);
  const fast = scanZipkinJson(body, fastCtx);
  let general: DecodedBatch | Error;
  try {
    general = decodeZipkinJson(JSON.parse(body.toString('utf8')), generalCtx);
  } catch (err) {
    general = err as Error;
  }
  return { fast, general, limited: [fastCtx.tagsLimited, fast === undefined ? 0 : generalCtx.tagsLimited] };
}

/** Asserts agreement (of `compared`, when the caller has compared already); returns whether the reader accepted the body. */
function agrees(body: Buffer, limits = SMALL_LIMITS, compared = compare(body, limits)): boolean {
  const { fast, general, limited } = compared;
  if (fast === undefined) {
    expect(limited[0]).toBe(0);
    return false;
  }
  if (general instanceof Error) throw new Error(`the reader accepted what JSON.parse refuses (${general.message}): ${body.toString('utf8').slice(0, 300)}`);
  expect(fast).toEqual(general);
  expect(limited[0]).toBe(limited[1]);
  return true;
}

const json = (value: unknown, indent?: number): Buffer => Buffer.from(JSON.stringify(value, undefined, indent));

const HEX = '0123456789abcdefABCDEF';
function hex(rand: Rand, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += HEX[int(rand, rand() < 0.95 ? 16 : HEX.length)];
  return s;
}

function pick<T>(rand: Rand, items: readonly T[]): T {
  return items[int(rand, items.length)]!;
}

const STRINGS = ['', 'a', 'GET', 'café', '日本', 'quote " inside', 'back\\slash', 'tab\there', 'line\nbreak', '\u0001ctl', '\ud83d\ude00', 'x'.repeat(40)];
const KEYS = ['node_id', 'http.method', 'upstream_cluster', 'component', 'istio.canonical_service', 'guid:x-request-id', 'http.url', 'error', 'k\u00e9y', 'quo"te', '__proto__', '7', '01', 'toString'];

function value(rand: Rand): unknown {
  switch (int(rand, 9)) {
    case 0: return int(rand, 100000);
    case 1: return rand() < 0.5;
    case 2: return null;
    case 3: return rand() * 10;
    case 4: return -int(rand, 10);
    case 5: return { nested: [1, { a: 'b' }] };
    default: return pick(rand, STRINGS);
  }
}

/** A span with every member randomly present, absent, odd or invalid. */
function randomSpan(rand: Rand): unknown {
  const s: Record<string, unknown> = {};
  const maybe = (p: number): boolean => rand() < p;
  if (maybe(0.95)) s['traceId'] = maybe(0.9) ? hex(rand, pick(rand, [32, 16, 5, 33, 0])) : value(rand);
  if (maybe(0.95)) s['id'] = maybe(0.9) ? hex(rand, pick(rand, [16, 3, 17])) : value(rand);
  if (maybe(0.6)) s['parentId'] = maybe(0.8) ? hex(rand, 16) : pick(rand, [null, '', 'zz', 5]);
  if (maybe(0.9)) s['kind'] = pick(rand, ['CLIENT', 'SERVER', 'PRODUCER', 'CONSUMER', 'client', 'constructor', 3]);
  if (maybe(0.9)) s['name'] = pick(rand, STRINGS);
  if (maybe(0.95)) s['timestamp'] = maybe(0.9) ? 1_700_000_000_000_000 + int(rand, 1e9) : value(rand);
  if (maybe(0.95)) s['duration'] = maybe(0.9) ? int(rand, 1e6) : value(rand);
  const endpoint = (): unknown => (maybe(0.85)
    ? { serviceName: pick(rand, ['productpage.default', 'reviews', '', 7]), ipv4: maybe(0.5) ? '10.0.0.1' : undefined, ipv6: maybe(0.1) ? '::1' : undefined, port: maybe(0.5) ? pick(rand, [9080, 0, 70000, 'x']) : undefined, extra: maybe(0.1) ? [1, 2] : undefined }
    : value(rand));
  if (maybe(0.8)) s['localEndpoint'] = endpoint();
  if (maybe(0.4)) s['remoteEndpoint'] = endpoint();
  if (maybe(0.3)) {
    s['annotations'] = maybe(0.9)
      ? Array.from({ length: int(rand, 4) }, () => (maybe(0.8) ? { timestamp: maybe(0.9) ? int(rand, 1e15) : value(rand), value: maybe(0.9) ? pick(rand, STRINGS) : value(rand) } : value(rand)))
      : value(rand);
  }
  if (maybe(0.9)) {
    const tags: Record<string, unknown> = {};
    for (let n = int(rand, 12); n > 0; n--) tags[maybe(0.7) ? pick(rand, KEYS) : `k${int(rand, 30)}`] = maybe(0.8) ? pick(rand, STRINGS) : value(rand);
    s['tags'] = maybe(0.95) ? tags : value(rand);
  }
  if (maybe(0.2)) s['debug'] = value(rand);
  if (maybe(0.2)) s['shared'] = maybe(0.5) ? true : value(rand);
  if (maybe(0.1)) s['unknownMember'] = value(rand);
  return s;
}

describe('the Zipkin JSON reader agrees with JSON.parse and the general decoder', () => {
  it('reads Envoy batches itself, spaced or not, and gives their spans', () => {
    let accepted = 0;
    for (const batch of envoyBatches(2000, 100, 5)) {
      expect(agrees(json(batch), { maxTagsPerSpan: 128, maxTagValueLength: 4096, maxEventsPerSpan: 128 })).toBe(true);
      accepted++;
    }
    expect(accepted).toBeGreaterThan(10);
    for (const batch of envoyBatches(200, 20, 6)) expect(agrees(json(batch, 2))).toBe(true);
  });

  it('on random spans: odd types, escapes, wide characters, invalid ids and times, limits', () => {
    const rand = rng(41);
    let accepted = 0;
    for (let i = 0; i < 3000; i++) {
      const spans = Array.from({ length: 1 + int(rand, 4) }, () => randomSpan(rand));
      if (agrees(json(spans))) accepted++;
    }
    // Declining is for what senders do not write: most of these must be read.
    expect(accepted).toBeGreaterThan(600);
  }, 120_000);

  it('on repeated members and tag keys, index-like and __proto__ keys, and repeated entries across spans', () => {
    const base = '"traceId":"4d1e00c0db9010db86154a4ba6e91385","id":"4d1e00c0db9010db","timestamp":5';
    const bodies = [
      `[{${base},"tags":{"a":"1","a":"2"}}]`,
      `[{${base},"tags":{"b":"1","7":"x","a":"2"}}]`,
      `[{${base},"tags":{"__proto__":"p","a":"2"}}]`,
      `[{${base},"tags":{"a":"1"},"tags":{"b":"2"}}]`,
      `[{${base},"id":"0000000000000001"}]`,
      `[{${base},"tags":{"size":12}},{${base},"tags":{"size":123}}]`,
      `[{${base},"tags":{"a":"x","b":"y"}},{${base},"tags":{"a":"x","b":"yz"}},{${base},"tags":{"a":"x"}}]`,
      `[{${base},"localEndpoint":{"serviceName":"a"}},{${base},"localEndpoint":{"serviceName":"ab"}}]`,
      `[{${base},"tags":{"a":null,"b":{}}}]`,
      `[{${base}}, "not a span", 5]`,
      `[{${base},"localEndpoint":{"serviceName":"a"}},{${base},"localEndpoint":true},{${base},"localEndpoint":{"serviceName":"a"}}]`,
      ` \n[ { ${base.replaceAll(',', ' ,\t')} } ] \r\n`,
    ];
    for (const body of bodies) agrees(Buffer.from(body));
    expect(agrees(Buffer.from(bodies[5]!))).toBe(true);
    expect(compare(Buffer.from(bodies[5]!)).fast!.spans.map((s) => s.ownTags)).toEqual([['size', '12'], ['size', '123']]);
    expect(agrees(Buffer.from(bodies[6]!))).toBe(true);
    expect(agrees(Buffer.from(bodies[7]!))).toBe(true);
    expect(compare(Buffer.from(bodies[7]!)).fast!.spans.map((s) => s.localEndpoint?.serviceName)).toEqual(['a', 'ab']);
    expect(compare(Buffer.from(bodies[10]!)).fast!.spans.map((s) => s.localEndpoint?.serviceName)).toEqual(['a', undefined, 'a']);
  });

  it('on tag entries that alternate between spans, come back after two or three, or change key', () => {
    const base = '"traceId":"4d1e00c0db9010db86154a4ba6e91385","id":"4d1e00c0db9010db","timestamp":5';
    const tags = [
      { a: 'x', b: 'p', c: '1' }, { a: 'xy', b: 'p', c: '1' }, { a: 'x', b: 'q', c: '1' }, { a: 'xy', b: 'p', c: 12 },
      { a: 'z', b: 'p' }, { a: 'x', d: 'p' }, { a: 'x' }, { a: 'xy', b: 'p', c: '1' }, { b: 'x', a: 'xy' },
    ];
    const body = Buffer.from(`[${tags.map((t) => `{${base},"tags":${JSON.stringify(t)}}`).join(',')}]`);
    expect(agrees(body, { maxTagsPerSpan: 8, maxTagValueLength: 64, maxEventsPerSpan: 2 })).toBe(true);
    const own = compare(body).fast!.spans.map((s) => s.ownTags);
    expect(own).toEqual(tags.map((t) => Object.entries(t).flatMap(([k, v]) => [k, String(v)])));
  });

  it('on members whose keys change order between spans, or are escaped, longer or shorter in the same place', () => {
    const ids = '"traceId":"4d1e00c0db9010db86154a4ba6e91385","id":"4d1e00c0db9010db"';
    const spans = [
      `{${ids},"name":"a","kind":"CLIENT","timestamp":5}`,
      `{"kind":"SERVER","name":"b",${ids},"timestamp":5}`,
      `{${ids},"names":"x","kind":"CLIENT","timestamp":5}`,
      `{${ids},"nam":"x","kinder":"SERVER","timestamp":5}`,
      `{${ids},"n\u0061me":"c","kind":"PRODUCER","timestamp":5}`,
      `{${ids},"name":"d","kind":"CONSUMER","timestamp":5,"duration":7}`,
      `{${ids},"name":"e"}`,
    ];
    const body = Buffer.from(`[${spans.join(',')}]`);
    expect(agrees(body)).toBe(true);
    const out = compare(body).fast!.spans;
    expect(out.map((x) => x.name)).toEqual(['a', 'b', '', '', 'c', 'd', 'e']);
    expect(out.map((x) => x.kind)).toEqual(['CLIENT', 'SERVER', 'CLIENT', undefined, 'PRODUCER', 'CONSUMER', undefined]);
    expect(out.map((x) => x.durationUs)).toEqual([0, 0, 0, 0, 0, 7, 0]);
  });

  it('on ids of every width and spelling, where a quote may sit where a longer id would end', () => {
    const t32 = '4d1e00c0db9010db86154a4ba6e91385', s16 = '86154a4ba6e91385';
    const traceIds = [t32, s16, t32.toUpperCase(), '0'.repeat(32), '0'.repeat(16), `${s16}0`, t32.slice(1), '\\u0034d1e00c0db9010db', 'x'.repeat(16), 5, null];
    const spanIds = [s16, s16.toUpperCase(), '0'.repeat(16), s16.slice(1), `${s16}a`, '\\u0038' + s16.slice(1), '', null, 7];
    let accepted = 0;
    for (const traceId of traceIds) {
      for (const id of spanIds) {
        for (const parentId of spanIds) {
          // A 16-digit trace id followed by a 16-character string puts a quote 33 bytes on.
          const body = `[{"traceId":${JSON.stringify(traceId).replace('\\\\', '\\')},"x":"012345678","id":${JSON.stringify(id).replace('\\\\', '\\')},`
            + `"parentId":${JSON.stringify(parentId).replace('\\\\', '\\')},"timestamp":1},{"id":"${s16}","traceId":"${t32}","id":"${s16.slice(1)}"}]`;
          if (agrees(Buffer.from(body))) accepted++;
        }
      }
    }
    expect(accepted).toBeGreaterThan(traceIds.length * spanIds.length * spanIds.length * 0.9);
  });

  it('never accepts what JSON.parse refuses: mutated bytes and mutated JSON', () => {
    const rand = rng(42);
    const valid = envoyBatches(300, 5, 9).map((b) => json(b));
    let refusedByBoth = 0;
    for (let i = 0; i < 4000; i++) {
      const source = valid[int(rand, valid.length)]!;
      const body = i % 4 === 0 ? truncate(rand, source) : i % 4 === 1 ? flip(rand, source) : i % 4 === 2 ? splice(rand, source)
        : json(mutateJson(rand, JSON.parse(source.toString('utf8'))));
      const compared = compare(body);
      if (compared.fast === undefined && compared.general instanceof Error) refusedByBoth++;
      agrees(body, SMALL_LIMITS, compared);
    }
    expect(refusedByBoth).toBeGreaterThan(500);
    // Each body gets two fresh decode contexts (5 MiB of caches each): half a minute on a slow core.
  }, 120_000);

  it('declines invalid escapes, raw control characters, signs, fractions and huge numbers', () => {
    const base = '"traceId":"4d1e00c0db9010db86154a4ba6e91385","id":"4d1e00c0db9010db"';
    for (const body of [`[{${base},"x":"\\q"}]`, `[{${base},"x":"\u0001"}]`, `[{${base},"timestamp":-1}]`,
      `[{${base},"timestamp":1.5}]`, `[{${base},"timestamp":1e3}]`, `[{${base},"timestamp":99999999999999999999}]`,
      `[{${base},"timestamp":01}]`, `[{${base}}`, `[{${base}}]x`, `{"spans":[]}`]) {
      expect(scanZipkinJson(Buffer.from(body), new DecodeContext())).toBeUndefined();
    }
    expect(scanZipkinJson(Buffer.from(`[{${base},"x":"\\u00e9\\n"}]`), new DecodeContext())?.spans).toHaveLength(1);
  });

  it('finds every quote, escape, control and wide byte wherever it falls in a string, at any alignment', () => {
    // Strings are read four bytes at a time: each special byte goes at every offset within a word,
    // in strings starting at every offset, in a tag value and in an id.
    const specials = ['\\"', '\\\\', '\\u0041', '\u0001', '\u001f', 'é', '\u00ff', '日', ' ', '~', '\u007f'];
    let accepted = 0;
    for (const special of specials) {
      for (let pad = 0; pad < 4; pad++) {
        for (let at = 0; at < 9; at++) {
          const value = 'a'.repeat(at) + special + 'b'.repeat(8 - at);
          const body = `[{"traceId":"4d1e00c0db9010db86154a4ba6e91385","id":"4d1e00c0db9010db","tags":{"k${'p'.repeat(pad)}":"${value}"}}]`;
          if (agrees(Buffer.from(body), { maxTagsPerSpan: 8, maxTagValueLength: 64, maxEventsPerSpan: 2 })) accepted++;
        }
      }
    }
    // Raw control bytes are declined; all the rest is read.
    expect(accepted).toBe((specials.length - 2) * 4 * 9);
    // A quote early in an id ends it there: the id is what precedes it, and invalid.
    const early = scanZipkinJson(Buffer.from('[{"traceId":"4d1e00c0db9010db86154a4ba6e91385","id":"4d1","x":"0db9010db"}]'), new DecodeContext());
    expect(early?.spans[0]?.id).toBe('0000000000000' + '4d1');
  });
});
