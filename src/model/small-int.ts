/**
 * A span's duration kept as a V8 small integer.
 *
 * The decoders compute it with arithmetic whose result V8 holds as a double, often in a reused
 * scratch object whose fields are doubles. The first such value stored into a span makes V8 treat
 * that field of every span as a double, and each span then carries a separate 16-byte number box
 * for it: one more object for the garbage collector to copy. `n | 0` hands over a small integer
 * instead, which the span holds inline. Values beyond the small-integer range (durations over
 * 12 days) stay as they are. (The nanosecond remainders need no such care: `CompactSpan` packs them.)
 */
const LIMIT = 0x40000000;

export function smallInt(n: number): number {
  return n > -LIMIT && n < LIMIT ? n | 0 : n;
}
