/**
 * `google.protobuf.Struct` ⇄ plain JSON. protobufjs has no JSON mapping for Struct (it keeps the
 * `{ fields: { k: { string_value } } }` form), while Envoy's admin JSON prints the plain form; node
 * metadata is a Struct, so both directions are needed.
 */
import { isObject } from './json.js';

type StructValue = Record<string, unknown>;

function toValue(v: unknown): StructValue {
  if (v === null || v === undefined) return { null_value: 0 };
  if (typeof v === 'number') return { number_value: v };
  if (typeof v === 'string') return { string_value: v };
  if (typeof v === 'boolean') return { bool_value: v };
  if (Array.isArray(v)) return { list_value: { values: v.map(toValue) } };
  return { struct_value: toStruct(v as Record<string, unknown>) };
}

export function toStruct(obj: Readonly<Record<string, unknown>>): { fields: Record<string, StructValue> } {
  const fields: Record<string, StructValue> = {};
  for (const [k, v] of Object.entries(obj)) fields[k] = toValue(v);
  return { fields };
}

function fromValue(v: unknown): unknown {
  if (!isObject(v)) return undefined;
  for (const key of ['string_value', 'stringValue', 'number_value', 'numberValue', 'bool_value', 'boolValue']) {
    if (key in v) return v[key];
  }
  const list = v['list_value'] ?? v['listValue'];
  if (isObject(list)) return (Array.isArray(list['values']) ? list['values'] : []).map(fromValue);
  const struct = v['struct_value'] ?? v['structValue'];
  if (isObject(struct)) return fromStruct(struct);
  return null;
}

/** Plain JSON of a Struct in protobufjs form; anything else is returned as it is. */
export function fromStruct(v: unknown): unknown {
  if (!isObject(v) || !isObject(v['fields']) || Object.keys(v).length !== 1) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v['fields'])) out[k] = fromValue(x);
  return out;
}
