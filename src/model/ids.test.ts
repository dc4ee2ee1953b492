import { describe, expect, it } from 'vitest';
import { bytesToHex, parseHexSpanId, parseHexTraceId, spanIdAt, spanIdFromBytes, traceIdAsSent, traceIdAt, traceIdFromBytes } from './ids.js';

describe('trace ids', () => {
  it.each([
    ['978883983d506fa5', '0000000000000000978883983d506fa5', 64],
    ['4D1E00C0DB9010DB86154A4BA6E91385', '4d1e00c0db9010db86154a4ba6e91385', 128],
    ['abc', '0000000000000000' + '0000000000000abc', 64],
  ])('normalizes %s', (input, expected, bits) => {
    expect(parseHexTraceId(input)).toEqual({ traceId: expected, bits });
  });

  it.each(['', 'xyz', '0000000000000000', '0'.repeat(32), 'a'.repeat(33), 123, null])('rejects %s', (input) => {
    expect(parseHexTraceId(input)).toBeUndefined();
  });

  it('keeps the width it arrived with for re-export', () => {
    const t = parseHexTraceId('978883983d506fa5')!;
    expect(traceIdAsSent(t.traceId, t.bits)).toBe('978883983d506fa5');
  });

  it('reads big-endian bytes', () => {
    expect(traceIdFromBytes(Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 1]))).toEqual({ traceId: '0'.repeat(31) + '1', bits: 64 });
  });
});

describe('span ids', () => {
  it('pads short ids and lowercases', () => {
    expect(parseHexSpanId('ABC')).toBe('0000000000000abc');
  });

  it.each(['0000000000000000', 'g000000000000000', '00000000000000001'])('rejects %s', (input) => {
    expect(parseHexSpanId(input)).toBeUndefined();
  });

  it('undoes Envoy host byte order when asked', () => {
    // Envoy's serializer test: id=1 is written as AQAAAAAAAAA= (01 00 .. 00) on little-endian hosts.
    const bytes = Buffer.from('AQAAAAAAAAA=', 'base64');
    expect(spanIdFromBytes(bytes, true)).toBe('0000000000000001');
    expect(spanIdFromBytes(bytes, false)).toBe('0100000000000000');
  });
});

describe('ids read in place from a buffer', () => {
  const buf = Buffer.from('ff' + '4d1e00c0db9010db86154a4ba6e91385' + '0000000000000000' + 'ff', 'hex');

  it('reads 16- and 8-byte trace ids at an offset, padding the short one', () => {
    expect(traceIdAt(buf, 1, 16)).toBe('4d1e00c0db9010db86154a4ba6e91385');
    expect(traceIdAt(buf, 9, 8)).toBe('000000000000000086154a4ba6e91385');
    expect(traceIdAt(buf, 17, 8)).toBeUndefined(); // all zeros
    expect(traceIdAt(buf, 1, 12)).toBeUndefined();
  });

  it('reads span ids in either byte order', () => {
    expect(spanIdAt(buf, 1, 8)).toBe('4d1e00c0db9010db');
    expect(spanIdAt(buf, 1, 8, true)).toBe('db1090dbc0001e4d');
    expect(spanIdAt(buf, 17, 8)).toBeUndefined();
    expect(spanIdAt(buf, 1, 7)).toBeUndefined();
  });

  it('hex-encodes any length the same way', () => {
    for (let len = 0; len <= 17; len++) {
      const expected = buf.subarray(1, 1 + len).toString('hex');
      expect(bytesToHex(buf, 1, len)).toBe(expected);
      expect(bytesToHex(buf, 1, len, true)).toBe(Buffer.from(buf.subarray(1, 1 + len)).reverse().toString('hex'));
    }
  });
});
