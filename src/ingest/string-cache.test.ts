import { describe, expect, it } from 'vitest';
import { Interner } from '../model/index.js';
import { DecodeContext } from './context.js';
import { sameBytes } from './string-cache.js';
import type { ByteSource } from './string-cache.js';

/** An interner that counts the strings it is asked for: each is a miss of the byte cache in front of it. */
class CountingInterner extends Interner {
  asked = 0;
  override string(value: string): string {
    this.asked++;
    return super.string(value);
  }
}

function source(text: string): ByteSource {
  const buf = Buffer.from(text);
  return { buf, view: new DataView(buf.buffer, buf.byteOffset, buf.byteLength) };
}

describe('the decoders\' value cache', () => {
  it('hands back one instance for the same bytes, wherever they are', () => {
    const ctx = new DecodeContext();
    const a = ctx.strings.get(source('xx200'), 2, 5);
    const b = ctx.strings.get(source('200yy'), 0, 3);
    expect(a).toBe('200');
    expect(b).toBe(a);
    expect(ctx.strings.get(source('café'), 0, 5)).toBe('café');
  });

  it('keeps thousands of values of a numeric tag (sizes) without collisions displacing most of them', () => {
    const interner = new CountingInterner();
    const ctx = new DecodeContext(undefined, interner);
    const values = Array.from({ length: 5000 }, (_, i) => source(String((i * 7919) % 100_000)));
    for (const v of values) ctx.strings.get(v, 0, v.buf.length);
    const before = interner.asked;
    for (const v of values) ctx.strings.get(v, 0, v.buf.length);
    // With a table a quarter the size, over 40% of them missed on every pass.
    expect((interner.asked - before) / values.length).toBeLessThan(0.25);
  });
});

describe('sameBytes', () => {
  /** Two runs of `length` bytes side by side in one buffer, the second a copy of the first. */
  function pair(first: readonly number[]): { src: ByteSource; length: number } {
    const buf = Buffer.from([...first, ...first, 0x20]);
    return { src: { buf, view: new DataView(buf.buffer, buf.byteOffset, buf.byteLength) }, length: first.length };
  }

  it('tells apart runs that differ in any one byte, at every length and position', () => {
    for (let length = 0; length <= 27; length++) {
      const bytes = Array.from({ length }, (_, i) => 0x41 + ((i * 7) % 26));
      const { src } = pair(bytes);
      expect(sameBytes(src, 0, length, length)).toBe(true);
      for (let at = 0; at < length; at++) {
        src.buf[length + at]! ^= 0x01;
        expect(sameBytes(src, 0, length, length)).toBe(false);
        src.buf[length + at]! ^= 0x01;
      }
    }
  });

  it('compares bytes, not the doubles they spell: +0 and -0, and NaNs with different payloads, differ', () => {
    const plusZero = [0, 0, 0, 0, 0, 0, 0, 0];
    const minusZero = [0, 0, 0, 0, 0, 0, 0, 0x80];
    const nan = [1, 0, 0, 0, 0, 0, 0xf8, 0x7f];
    const otherNan = [2, 0, 0, 0, 0, 0, 0xf8, 0x7f];
    const otherHighNan = [1, 0, 0, 0, 0, 0, 0xf9, 0x7f];
    const buf = Buffer.from([...plusZero, ...minusZero, ...nan, ...otherNan, ...nan, ...plusZero, ...otherHighNan]);
    const src = { buf, view: new DataView(buf.buffer, buf.byteOffset, buf.byteLength) };
    expect(sameBytes(src, 0, 8, 8)).toBe(false);
    expect(sameBytes(src, 16, 24, 8)).toBe(false);
    expect(sameBytes(src, 16, 48, 8)).toBe(false);
    expect(sameBytes(src, 16, 32, 8)).toBe(true);
    expect(sameBytes(src, 0, 40, 8)).toBe(true);
  });
});
