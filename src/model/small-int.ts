/**
 * A span's small integer fields (durations, nanosecond remainders) kept as V8 small integers.
 *
 * The decoders compute these with arithmetic whose result V8 holds as a double, often in a
 * reused scratch object whose fields are doubles. The first such value stored into a span makes
 * V8 treat that field of every span as a double, and each span then carries a separate 16-byte
 * number box per field: three boxes an OTLP span, one a Zipkin span, each one more object for the
 * garbage collector to copy. `n | 0` hands over a small integer instead, which the span holds
 * inline. Values beyond the small-integer range (durations over 12 days) stay as they are.
 */
const LIMIT = 0x40000000;

export function smallInt(n: number): number {
  return n > -LIMIT && n < LIMIT ? n | 0 : n;
}
