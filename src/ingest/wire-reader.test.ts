import { describe, expect, it } from 'vitest';
import { FIXED32, FIXED64, LENGTH_DELIMITED, VARINT, WireFormatError, WireReader } from './wire-reader.js';

const reader = (bytes: number[]): WireReader => new WireReader(Uint8Array.from(bytes));

describe('WireReader', () => {
  it('reads varints of every length, keeping the low and high 32 bits', () => {
    const r = reader([0x01, 0xac, 0x02, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x80, 0x80, 0x80, 0x80, 0x10,
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(r.uint32(99)).toBe(1);
    expect(r.uint32(99)).toBe(300);
    expect(r.uint32(99)).toBe(0xffffffff);
    r.varint64(99);
    expect([r.lo, r.hi]).toEqual([0, 1]); // 2^32
    r.varint64(99);
    expect([r.lo, r.hi]).toEqual([0xffffffff, 0xffffffff]); // -1 as int64
    expect(r.pos).toBe(23);
  });

  it('reads int32 as protobuf truncates it, fixed64 and doubles', () => {
    const r = reader([0xfe, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3, 4, 5, 6, 7, 8, ...new Uint8Array(new Float64Array([2.5]).buffer)]);
    expect(r.int32(99)).toBe(-2);
    r.fixed64(99);
    expect([r.lo, r.hi]).toEqual([0x04030201, 0x08070605]);
    expect(r.double(99)).toBe(2.5);
  });

  it('reads tags and length-delimited fields, and skips every wire type', () => {
    // field 1 varint, field 2 fixed64, field 3 bytes "ab", field 4 group { field 1 varint }, field 5 fixed32
    const r = reader([0x08, 0x96, 0x01, 0x11, 1, 2, 3, 4, 5, 6, 7, 8, 0x1a, 0x02, 0x61, 0x62, 0x23, 0x08, 0x01, 0x24, 0x2d, 1, 2, 3, 4]);
    const end = r.buf.length;
    const seen: [number, number][] = [];
    for (let tag = r.tag(end); tag !== -1; tag = r.tag(end)) {
      seen.push([tag >>> 3, tag & 7]);
      if (tag >>> 3 === 3) {
        const contentEnd = r.delimited(end);
        expect(Buffer.from(r.buf.subarray(r.pos, contentEnd)).toString()).toBe('ab');
        r.pos = contentEnd;
      } else r.skip(tag & 7, end);
    }
    expect(seen).toEqual([[1, VARINT], [2, FIXED64], [3, LENGTH_DELIMITED], [4, 3], [5, FIXED32]]);
  });

  it('compares byte ranges in place', () => {
    const r = reader([1, 2, 3, 4, 5, 9, 1, 2, 3, 4, 5, 9, 1, 2, 3, 4, 6]);
    expect(r.sameBytes(0, 6, 6)).toBe(true);
    expect(r.sameBytes(0, 12, 5)).toBe(false);
    expect(r.sameBytes(0, 12, 4)).toBe(true);
  });

  it.each<[string, number[], (r: WireReader) => unknown, RegExp]>([
    ['a truncated varint', [0x96], (r) => r.uint32(1), /truncated varint at byte 0/],
    ['a varint running past its message', [0x96, 0x01], (r) => r.uint32(1), /truncated varint/],
    ['a varint longer than 10 bytes', Array<number>(11).fill(0xff), (r) => r.varint64(11), /longer than 10 bytes/],
    ['a length past the end', [0x05, 0x61], (r) => r.delimited(2), /length 5 runs past the end of its message at byte 0/],
    ['a truncated fixed64', [1, 2, 3], (r) => r.fixed64(3), /truncated fixed64/],
    ['a truncated double', [1, 2, 3], (r) => r.double(3), /truncated double/],
    ['a truncated fixed32', [1, 2], (r) => r.skip(FIXED32, 2), /truncated fixed32/],
    ['wire type 6', [], (r) => r.skip(6, 0), /invalid wire type 6/],
    ['wire type 7', [], (r) => r.skip(7, 0), /invalid wire type 7/],
    ['a stray end-group', [], (r) => r.skip(4, 0), /invalid wire type 4/],
    ['field number 0', [0x00, 0x01], (r) => r.tag(2), /field number 0/],
    ['an unterminated group', [0x08, 0x01], (r) => r.skip(3, 2), /unterminated group/],
    ['groups nested too deeply', Array<number>(40).fill(0x0b), (r) => r.skip(3, 40), /nested too deeply/],
    ['a known field with the wrong wire type', [0x08], (r) => r.expect(r.tag(1), LENGTH_DELIMITED), /field 1 has wire type varint, expected length-delimited/],
  ])('refuses %s with where it went wrong', (_name, bytes, read, message) => {
    const r = reader(bytes);
    expect(() => read(r)).toThrow(WireFormatError);
    expect(() => read(reader(bytes))).toThrow(message);
  });
});
