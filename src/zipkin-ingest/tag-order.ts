/**
 * When a span's tag entries, in the order they were read, are the order the general decoders give
 * them. Those built a plain object from the entries and iterated it with `for...in`, so a repeated
 * key keeps its first position with its last value, and integer-like keys come first in numeric
 * order. Senders write neither: checking the entries is then enough, and no object is built.
 */
import type { KnownKey } from '../ingest/context.js';

const INTEGER_NAME = /^(?:0|[1-9]\d{0,9})$/;

/** An array index as a property name (below 2^32 - 1): `for...in` visits these first, in numeric order. */
export function isIndexLike(name: string): boolean {
  return INTEGER_NAME.test(name) && Number(name) < 4294967295;
}

/** Remembers the last key sequence found plain: a sidecar's next span mostly repeats it. */
export class PlainKeys {
  #last: KnownKey[] = [];

  /** True when the first `count` keys have no repeats and no index-like names. */
  check(keys: readonly KnownKey[], count: number): boolean {
    const last = this.#last;
    if (last.length === count) {
      let i = 0;
      while (i < count && last[i] === keys[i]) i++;
      if (i === count) return true;
    }
    for (let i = 0; i < count; i++) {
      const name = keys[i]!.tag.name;
      if (isIndexLike(name)) return false;
      for (let j = 0; j < i; j++) if (keys[j]!.tag.name === name) return false;
    }
    this.#last = keys.slice(0, count);
    return true;
  }
}
