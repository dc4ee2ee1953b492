import { describe, it, expect } from 'vitest';
import { renderAnyValue } from './any-value.js';
import { ExportTraceServiceRequest, otlpRoot } from './otlp-proto.js';

const AnyValue = otlpRoot.lookupType('opentelemetry.proto.common.v1.AnyValue');

/** The value as protobufjs decodes it from the wire (Long ints, Uint8Array bytes). */
function viaProto(value: object): unknown {
  return AnyValue.decode(AnyValue.encode(AnyValue.fromObject(value)).finish());
}

const nested = {
  kvlistValue: {
    values: [
      { key: 'a', value: { arrayValue: { values: [{ intValue: '-9007199254740993' }, { stringValue: 'x"y' }, { boolValue: false }, {}] } } },
      { key: 'b', value: { doubleValue: 1.5 } },
      { key: 'c', value: { bytesValue: 'AQID' } },
    ],
  },
};
const NESTED_TEXT = '{"a":[-9007199254740993,"x\\"y",false,null],"b":1.5,"c":"AQID"}';

describe('renderAnyValue', () => {
  const cases: [object, string][] = [
    [{ stringValue: 'GET' }, 'GET'],
    [{ stringValue: '' }, ''],
    [{ boolValue: true }, 'true'],
    [{ intValue: '9007199254740993' }, '9007199254740993'],
    [{ intValue: '-5' }, '-5'],
    [{ doubleValue: 0.25 }, '0.25'],
    [{ bytesValue: 'AQID' }, 'AQID'],
    [{ arrayValue: { values: [{ stringValue: 'a' }, { intValue: '1' }] } }, '["a",1]'],
    [nested, NESTED_TEXT],
    [{}, ''],
  ];

  it('renders protobuf-decoded values', () => {
    for (const [value, text] of cases) expect(renderAnyValue(viaProto(value))).toBe(text);
  });

  it('renders OTLP/JSON values, in either key case', () => {
    for (const [value, text] of cases) expect(renderAnyValue(value)).toBe(text);
    expect(renderAnyValue({ int_value: 7 })).toBe('7');
    expect(renderAnyValue({ double_value: 'NaN' })).toBe('NaN');
    expect(renderAnyValue({ array_value: { values: [{ double_value: 'Infinity' }, { kvlist_value: {} }] } })).toBe('["Infinity",{}]');
    expect(renderAnyValue({ stringValue: null, boolValue: false })).toBe('false');
  });

  it('is lenient with values of the wrong type and bounds nesting', () => {
    expect(renderAnyValue({ intValue: 'abc' })).toBe('abc');
    expect(renderAnyValue({ stringValue: 12 })).toBe('12');
    expect(renderAnyValue({ arrayValue: 'x' })).toBe('[]');
    expect(renderAnyValue(null)).toBe('');
    let deep: object = { stringValue: 'leaf' };
    for (let i = 0; i < 100; i++) deep = { arrayValue: { values: [deep] } };
    // Arrays nest 33 deep (depths 0-32); the 34th level renders as null.
    expect(renderAnyValue(deep)).toBe('['.repeat(33) + 'null' + ']'.repeat(33));
  });

  it('loads the full request type', () => {
    expect(ExportTraceServiceRequest.fullName).toBe('.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
  });
});
