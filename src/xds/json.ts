/**
 * Readers over protobuf-JSON as Envoy, istioctl and istiod print it. The same message appears with
 * snake_case keys (Envoy's admin endpoint, `--keepCase` decoders) and lowerCamelCase keys (proto3
 * canonical JSON from other tools), and wrapper types (`BoolValue`, `UInt32Value`) appear both as
 * plain values (canonical JSON) and as `{ "value": x }` (protobufjs `toObject`). Every reader here
 * accepts all of those, so callers name a field once, in its proto spelling.
 */

export type JsonObject = Readonly<Record<string, unknown>>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Proto names are a small fixed set, so their camelCase spellings are computed once. */
const camelCache = new Map<string, string>();

function camel(snake: string): string {
  let c = camelCache.get(snake);
  if (c === undefined) camelCache.set(snake, c = snake.replace(/_([a-z0-9])/g, (_m, x: string) => x.toUpperCase()));
  return c;
}

/** The field by its proto name, in either key spelling. */
export function field(obj: unknown, protoName: string): unknown {
  if (!isObject(obj)) return undefined;
  const v = obj[protoName];
  return v !== undefined ? v : obj[camel(protoName)];
}

export function objectField(obj: unknown, protoName: string): JsonObject | undefined {
  const v = field(obj, protoName);
  return isObject(v) ? v : undefined;
}

export function arrayField(obj: unknown, protoName: string): readonly unknown[] {
  const v = field(obj, protoName);
  return Array.isArray(v) ? v : [];
}

export function stringField(obj: unknown, protoName: string): string | undefined {
  const v = field(obj, protoName);
  return typeof v === 'string' ? v : undefined;
}

/** A wrapper or scalar: `true`, `{ "value": true }`, and (Struct-encoded v2 configs) `"true"`. */
export function boolField(obj: unknown, protoName: string): boolean | undefined {
  const v = unwrap(field(obj, protoName));
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  return undefined;
}

/** Numbers may come as strings (64-bit values in canonical JSON) or wrapped. */
export function numberField(obj: unknown, protoName: string): number | undefined {
  const v = unwrap(field(obj, protoName));
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/**
 * An `envoy.type.v3.Percent` (`{ "value": 12.5 }`). A bare number is accepted too: some tools
 * flatten single-field messages. A missing `value` inside a present Percent is proto3's 0.
 */
export function percentField(obj: unknown, protoName: string): number | undefined {
  const v = field(obj, protoName);
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return v;
  if (isObject(v)) return numberField(v, 'value') ?? 0;
  return undefined;
}

function unwrap(v: unknown): unknown {
  return isObject(v) && 'value' in v ? v['value'] : v;
}

/** `@type` of an Any in JSON, or `type_url` of an Any that was not expanded. */
export function typeUrlOf(any: unknown): string | undefined {
  if (!isObject(any)) return undefined;
  const t = any['@type'];
  return typeof t === 'string' ? t : stringField(any, 'type_url');
}

/** The message name of a type URL: `type.googleapis.com/envoy.config.trace.v3.ZipkinConfig` → `envoy.config.trace.v3.ZipkinConfig`. */
export function messageNameOf(typeUrl: string): string {
  return typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
}
