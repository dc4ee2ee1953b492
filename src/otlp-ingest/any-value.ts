/**
 * OTLP `AnyValue` → tag string, shared by the proto and JSON decoders. Both hand in plain
 * objects whose *own* properties are the fields that were set: protobufjs puts defaults on the
 * prototype and sets own properties only for fields on the wire, and JSON.parse only makes own
 * properties. So one reader serves protobufjs messages (Long ints, Uint8Array bytes) and OTLP/JSON
 * or protobuf canonical JSON (int64 as string or number, bytes as base64, either key case).
 *
 * Scalars render as the OTel Zipkin exporter renders them (String(value)); arrays and kvlists
 * render as compact JSON, with int64 digits written exactly.
 *
 * @see https://github.com/open-telemetry/opentelemetry-proto/blob/main/opentelemetry/proto/common/v1/common.proto
 */

type Obj = Record<string, unknown>;

/** Nested arrays/kvlists deeper than this render as `null`: no sender needs it, and it bounds recursion. */
const MAX_DEPTH = 32;
const INT_TEXT = /^-?\d{1,20}$/;

/** An own property, read under its lowerCamelCase or snake_case name; null counts as unset (proto3 JSON). */
export function field(o: Obj, camel: string, snake?: string): unknown {
  if (Object.hasOwn(o, camel) && o[camel] !== null) return o[camel];
  if (snake !== undefined && Object.hasOwn(o, snake) && o[snake] !== null) return o[snake];
  return undefined;
}

export function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A protobufjs Long (or anything shaped like one): 32-bit halves plus signedness. */
function isLongLike(v: unknown): v is { low: number; high: number; unsigned?: boolean } {
  return isObject(v) && typeof v['low'] === 'number' && typeof v['high'] === 'number';
}

/** The exact value of a Long, without going through a lossy double. */
export function longToBigInt(v: { low: number; high: number; unsigned?: boolean }): bigint {
  const bits = (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
  return v.unsigned === true ? bits : BigInt.asIntN(64, bits);
}

/** Decimal text of an int64 in any of its encodings; undefined when it is not an integer. */
function intText(v: unknown): string | undefined {
  if (typeof v === 'string') return INT_TEXT.test(v) ? BigInt(v).toString() : undefined;
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v).toString() : undefined;
  if (typeof v === 'bigint') return v.toString();
  return isLongLike(v) ? longToBigInt(v).toString() : undefined;
}

/** Base64 of bytes without copying them (the view may point into the whole request buffer). */
export function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Which AnyValue field is set, and its raw value. */
function pick(v: Obj): [string, unknown] | undefined {
  for (const [camel, snake] of ANY_FIELDS) {
    const x = field(v, camel, snake);
    if (x !== undefined) return [camel, x];
  }
  return undefined;
}

const ANY_FIELDS: readonly (readonly [string, string])[] = [
  ['stringValue', 'string_value'], ['boolValue', 'bool_value'], ['intValue', 'int_value'],
  ['doubleValue', 'double_value'], ['bytesValue', 'bytes_value'], ['arrayValue', 'array_value'],
  ['kvlistValue', 'kvlist_value'],
];

/** An AnyValue as a tag value: scalars as plain text, arrays and kvlists as compact JSON. */
export function renderAnyValue(value: unknown): string {
  if (!isObject(value)) return '';
  const set = pick(value);
  if (set === undefined) return '';
  const [name, x] = set;
  switch (name) {
    case 'stringValue': return typeof x === 'string' ? x : scalarText(x);
    case 'intValue': return intText(x) ?? scalarText(x);
    case 'bytesValue': return x instanceof Uint8Array ? base64(x) : scalarText(x);
    case 'arrayValue':
    case 'kvlistValue': return json(value, 0);
    default: return scalarText(x);
  }
}

/** Lenient text for scalars (and for values of the wrong JSON type, so nothing is lost). */
function scalarText(x: unknown): string {
  if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean' || typeof x === 'bigint') return String(x);
  return '';
}

/** An AnyValue as a JSON fragment. */
function json(value: unknown, depth: number): string {
  if (!isObject(value) || depth > MAX_DEPTH) return 'null';
  const set = pick(value);
  if (set === undefined) return 'null';
  const [name, x] = set;
  switch (name) {
    case 'boolValue': return typeof x === 'boolean' ? String(x) : JSON.stringify(scalarText(x));
    case 'intValue': return intText(x) ?? JSON.stringify(scalarText(x));
    // JSON has no NaN or Infinity; quote them as proto3 JSON does.
    case 'doubleValue': return typeof x === 'number' && Number.isFinite(x) ? String(x) : JSON.stringify(scalarText(x));
    case 'bytesValue': return JSON.stringify(x instanceof Uint8Array ? base64(x) : scalarText(x));
    case 'arrayValue': return '[' + listOf(x).map((item) => json(item, depth + 1)).join(',') + ']';
    case 'kvlistValue': return '{' + kvlist(x, depth + 1) + '}';
    default: return JSON.stringify(scalarText(x));
  }
}

/** The `values` of an ArrayValue or KeyValueList, or [] when malformed. */
function listOf(container: unknown): unknown[] {
  if (!isObject(container)) return [];
  const values = field(container, 'values');
  return Array.isArray(values) ? values : [];
}

function kvlist(container: unknown, depth: number): string {
  const parts: string[] = [];
  for (const kv of listOf(container)) {
    if (!isObject(kv)) continue;
    const key = field(kv, 'key');
    if (typeof key === 'string') parts.push(JSON.stringify(key) + ':' + json(field(kv, 'value'), depth));
  }
  return parts.join(',');
}
