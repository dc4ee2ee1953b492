import { describe, expect, it } from 'vitest';
import { Interner } from '../model/index.js';
import { DecodeContext } from './context.js';
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
