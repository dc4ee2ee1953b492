import { describe, expect, it } from 'vitest';
import { parseHexSpanId, parseHexTraceId } from '../model/index.js';
import { lowerHexSpanId, lowerHexTraceId } from './hex-text.js';

/** The bytes of `text` between two other bytes, so offsets are exercised. */
function framed(text: string): { buf: Buffer; start: number; length: number } {
  return { buf: Buffer.from(`"${text}"`, 'latin1'), start: 1, length: text.length };
}

const span = (text: string): string | undefined => {
  const { buf, start, length } = framed(text);
  return lowerHexSpanId(buf, start, length);
};
const trace = (text: string): string | undefined => {
  const { buf, start, length } = framed(text);
  return lowerHexTraceId(buf, start, length);
};

describe('ids read from request bytes', () => {
  it('gives the text of 16 lowercase hex digits as a span id', () => {
    expect(span('fa56833729bb3537')).toBe('fa56833729bb3537');
    expect(span('0000000000000001')).toBe('0000000000000001');
  });

  it('gives 32-character trace ids, a 64-bit one padded with zeros as the general parser pads it', () => {
    expect(trace('f2e9e11b21c58c1cfa56833729bb3537')).toBe('f2e9e11b21c58c1cfa56833729bb3537');
    expect(trace('fa56833729bb3537')).toBe('0000000000000000fa56833729bb3537');
    expect(trace('fa56833729bb3537')).toBe(parseHexTraceId('fa56833729bb3537')?.traceId);
  });

  it('leaves every other spelling to the general parsers', () => {
    for (const text of ['FA56833729BB3537', 'fa56833729bb353', 'fa56833729bb35370', 'fa56833729bb353g', '0000000000000000', 'fa56833729bb353 ', '']) {
      expect(span(text), text).toBeUndefined();
    }
    for (const text of ['F2E9E11B21C58C1CFA56833729BB3537', '00000000000000000000000000000000', 'f2e9e11b21c58c1cfa56833729bb353', 'abc']) {
      expect(trace(text), text).toBeUndefined();
    }
  });

  it('agrees with the general parsers on every id it reads, random ones included', () => {
    let seed = 7;
    const digit = (): string => '0123456789abcdef'[(seed = (seed * 1103515245 + 12345) % 2 ** 31) % 16]!;
    for (let i = 0; i < 500; i++) {
      const s16 = Array.from({ length: 16 }, digit).join('');
      const s32 = Array.from({ length: 32 }, digit).join('');
      expect(span(s16)).toBe(parseHexSpanId(s16));
      expect(trace(s32)).toBe(parseHexTraceId(s32)?.traceId);
    }
  });

  it('does not read past the end of the buffer', () => {
    const buf = Buffer.from('fa56833729bb35', 'latin1');
    expect(lowerHexSpanId(buf, 0, 16)).toBeUndefined();
    expect(lowerHexTraceId(buf, 0, 16)).toBeUndefined();
  });
});
