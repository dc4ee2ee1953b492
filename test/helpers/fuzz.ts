/**
 * Deterministic malformed-input generators for fuzzing the ingest servers: random bytes,
 * truncated, bit-flipped and spliced copies of valid payloads, random JSON values, valid JSON
 * with one node replaced, and pathologically deep nesting. Seeded, so a failure reproduces.
 */
import { rng } from '../../bench/envoy-spans.js';

export type Rand = () => number;

export { rng };

export function int(rand: Rand, max: number): number {
  return Math.floor(rand() * max);
}

function pick<T>(rand: Rand, items: readonly T[]): T {
  return items[int(rand, items.length)]!;
}

export function randomBytes(rand: Rand, maxLen = 512): Buffer {
  const out = Buffer.alloc(int(rand, maxLen + 1));
  for (let i = 0; i < out.length; i++) out[i] = int(rand, 256);
  return out;
}

export function truncate(rand: Rand, valid: Buffer): Buffer {
  return valid.subarray(0, int(rand, valid.length));
}

/** Overwrites 1-8 random bytes. */
export function flip(rand: Rand, valid: Buffer): Buffer {
  const out = Buffer.from(valid);
  for (let n = 1 + int(rand, 8); n > 0 && out.length > 0; n--) out[int(rand, out.length)] = int(rand, 256);
  return out;
}

/** Inserts a few random bytes, or duplicates a random slice, somewhere in the payload. */
export function splice(rand: Rand, valid: Buffer): Buffer {
  const at = int(rand, valid.length + 1);
  const insert = rand() < 0.5 ? randomBytes(rand, 16) : valid.subarray(int(rand, valid.length), int(rand, valid.length + 1));
  return Buffer.concat([valid.subarray(0, at), insert, valid.subarray(at)]);
}

/** Mutates raw bytes one of three ways. */
export function mutateBytes(rand: Rand, valid: Buffer): Buffer {
  const r = rand();
  return r < 0.34 ? truncate(rand, valid) : r < 0.67 ? flip(rand, valid) : splice(rand, valid);
}

const KEYS = [
  'traceId', 'id', 'parentId', 'kind', 'name', 'timestamp', 'duration', 'localEndpoint', 'remoteEndpoint', 'serviceName',
  'ipv4', 'ipv6', 'port', 'tags', 'annotations', 'value', 'shared', 'debug', 'resourceSpans', 'scopeSpans', 'spans',
  'resource', 'scope', 'attributes', 'key', 'stringValue', 'intValue', 'arrayValue', 'kvlistValue', 'values', 'spanId',
  'parentSpanId', 'startTimeUnixNano', 'endTimeUnixNano', 'events', 'links', 'status', 'code', '__proto__', 'constructor',
];
const STRINGS = [
  '', '0', '-1', 'NaN', '1e400', '18446744073709551616', '00000000000000000000000000000000', 'ffffffffffffffff',
  '0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331', 'CvdlGRbNQ92ESOshHIAxnA==', 'SERVER', 'CLIENT', '\u0000', '😀', '\ud800',
];
const NUMBERS = [0, -1, 0.5, 2, 3, 1e21, -1e21, 2 ** 53 + 1, 1544712660000000000, Number.MAX_VALUE, -0];

/** A random JSON value up to `depth` levels deep. */
export function randomJson(rand: Rand, depth = 3): unknown {
  const r = int(rand, depth > 0 ? 8 : 5);
  switch (r) {
    case 0: return null;
    case 1: return rand() < 0.5;
    case 2: return pick(rand, NUMBERS);
    case 3: return pick(rand, STRINGS);
    case 4: return 'x'.repeat(int(rand, 64));
    case 5: return Array.from({ length: int(rand, 4) }, () => randomJson(rand, depth - 1));
    default: return Object.fromEntries(Array.from({ length: int(rand, 4) }, () => [pick(rand, KEYS), randomJson(rand, depth - 1)]));
  }
}

/** Valid JSON with one randomly chosen node (value, array element or object) replaced by a random value. */
export function mutateJson(rand: Rand, valid: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(valid)) as unknown;
  let node: unknown = copy;
  for (let depth = 0; depth < 12; depth++) {
    if (node === null || typeof node !== 'object') break;
    const container = node as Record<string, unknown>;
    const keys = Object.keys(container);
    if (keys.length === 0) break;
    const key = pick(rand, keys);
    if (rand() < 0.3 || container[key] === null || typeof container[key] !== 'object') {
      const r = rand();
      if (r < 0.15) delete container[key];
      else container[r < 0.3 ? pick(rand, KEYS) : key] = randomJson(rand, 2);
      return copy;
    }
    node = container[key];
  }
  return randomJson(rand);
}

/** `[[[…]]]` nested `depth` deep. */
export function deepJsonArray(depth: number): Buffer {
  return Buffer.from('['.repeat(depth) + ']'.repeat(depth));
}

/** OTLP/JSON whose one attribute value is an arrayValue nested `depth` deep. */
export function deepOtlpJson(depth: number, traceId: string, spanId: string): Buffer {
  let value = '{"stringValue":"leaf"}';
  for (let i = 0; i < depth; i++) value = `{"arrayValue":{"values":[${value}]}}`;
  return Buffer.from(`{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"${traceId}","spanId":"${spanId}","name":"deep",`
    + `"startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000100000000","attributes":[{"key":"deep","value":${value}}]}]}]}]}`);
}

function lengthDelimited(field: number, payload: Buffer): Buffer {
  const len: number[] = [];
  let n = payload.length;
  do {
    len.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
    n >>>= 7;
  } while (n > 0);
  return Buffer.concat([Buffer.from([(field << 3) | 2, ...len]), payload]);
}

/**
 * An ExportTraceServiceRequest whose resource attribute is an AnyValue nested `depth` deep
 * (resourceSpans.resource.attributes[0].value.arrayValue.values[0].arrayValue…): a stack-depth probe.
 */
export function deepOtlpProto(depth: number): Buffer {
  let anyValue: Buffer = lengthDelimited(1, Buffer.from('leaf')); // AnyValue.string_value
  for (let i = 0; i < depth; i++) anyValue = lengthDelimited(5, lengthDelimited(1, anyValue)); // array_value.values
  const keyValue = Buffer.concat([lengthDelimited(1, Buffer.from('deep')), lengthDelimited(2, anyValue)]);
  return lengthDelimited(1, lengthDelimited(1, lengthDelimited(1, keyValue)));
}

/** Runs `fn` over `items` with at most `concurrency` in flight. */
export async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
