/**
 * Copies of short lists that V8 can allocate straight into the old generation.
 *
 * V8 pretenures the objects of an allocation site (an array or object literal in the source) once
 * nearly all of them outlive two young-generation collections: from then on they are allocated
 * old and never copied. Arrays made by `slice` or `new Array` have no such site, so each one a
 * buffered span keeps was copied twice by the collector before it settled. Here each length has a
 * literal of its own, so the lengths whose lists are held qualify by themselves.
 */

/** Longer lists are sliced: a span with more than eight tags of its own is rare. */
export const MAX_HELD_PAIRS = 8;

/**
 * `l[0, n)`, for an even `n` (key/value pairs). For 2 to 2 × {@link MAX_HELD_PAIRS} entries it
 * comes from a literal of that length (see above); otherwise from `slice`.
 */
export function heldPairs<T>(l: readonly T[], n: number): T[] {
  switch (n) {
    case 2: return [l[0]!, l[1]!];
    case 4: return [l[0]!, l[1]!, l[2]!, l[3]!];
    case 6: return [l[0]!, l[1]!, l[2]!, l[3]!, l[4]!, l[5]!];
    case 8: return [l[0]!, l[1]!, l[2]!, l[3]!, l[4]!, l[5]!, l[6]!, l[7]!];
    case 10: return [l[0]!, l[1]!, l[2]!, l[3]!, l[4]!, l[5]!, l[6]!, l[7]!, l[8]!, l[9]!];
    case 12: return [l[0]!, l[1]!, l[2]!, l[3]!, l[4]!, l[5]!, l[6]!, l[7]!, l[8]!, l[9]!, l[10]!, l[11]!];
    case 14: return [l[0]!, l[1]!, l[2]!, l[3]!, l[4]!, l[5]!, l[6]!, l[7]!, l[8]!, l[9]!, l[10]!, l[11]!, l[12]!, l[13]!];
    case 16: return [l[0]!, l[1]!, l[2]!, l[3]!, l[4]!, l[5]!, l[6]!, l[7]!, l[8]!, l[9]!, l[10]!, l[11]!, l[12]!, l[13]!, l[14]!, l[15]!];
    default: return l.slice(0, n);
  }
}
