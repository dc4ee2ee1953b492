/**
 * A Zipkin proto3 span's `tags` (a `map<string, string>`: repeated entries of key 1, value 2) read
 * from the wire, giving exactly the tags the protobufjs decoder gave. protobufjs assigned each entry
 * to a plain object (`__proto__` as an ordinary key) and the decoder iterated it with `for...in`,
 * so a repeated key keeps its first position with its last value, and integer-like keys come first
 * in numeric order. The common case (neither) is the entries in wire order, with no object built.
 */
import type { DecodeContext, KnownKey } from '../ingest/context.js';
import { utf8 } from '../ingest/string-cache.js';
import type { FieldPair, WireReader } from '../ingest/wire-reader.js';
import { PlainKeys } from './tag-order.js';

const PAIR: FieldPair = { firstStart: -1, firstEnd: -1, secondStart: -1, secondEnd: -1 };

/** A span's tags in the order they are added: keys, values, and whether each value is a cached instance. */
export class SpanTags {
  readonly keys: KnownKey[] = [];
  readonly values: string[] = [];
  readonly cached: boolean[] = [];
  count = 0;

  /** The value of `key`, or undefined. */
  get(key: string): string | undefined {
    for (let i = 0; i < this.count; i++) if (this.keys[i]!.tag.name === key) return this.values[i];
    return undefined;
  }
}

/** Reads tag entries; remembers the previous span's, which a sidecar's next span mostly repeats. */
export class TagReader {
  readonly #r: WireReader;
  readonly #ctx: DecodeContext;
  /** The entries as on the wire, by position; position i holds the previous span's i-th entry until replaced. */
  readonly #wire = new SpanTags();
  readonly #wireStart: number[] = [];
  readonly #wireLength: number[] = [];
  readonly #plainKeys = new PlainKeys();
  readonly #out = new SpanTags();

  constructor(r: WireReader, ctx: DecodeContext) {
    this.#r = r;
    this.#ctx = ctx;
  }

  /** The tags of the entries at `[start0, end0, start1, end1, ...]` (the first `count`). Reused: read before the next call. */
  read(entries: readonly number[], count: number): SpanTags {
    const wire = this.#wire;
    for (let i = 0; i < count; i++) {
      const start = entries[2 * i]!;
      const length = entries[2 * i + 1]! - start;
      if (i < this.#wireStart.length && this.#wireLength[i] === length && this.#r.sameBytes(this.#wireStart[i]!, start, length)) continue;
      this.#readEntry(i, start, start + length);
    }
    wire.count = count;
    return this.#isPlain(wire) ? wire : this.#asObjectWouldIterate(wire);
  }

  #readEntry(i: number, start: number, end: number): void {
    const r = this.#r;
    const { firstStart: keyStart, firstEnd: keyEnd, secondStart: valueStart, secondEnd: valueEnd } = r.pair(start, end, PAIR);
    const ctx = this.#ctx;
    // A map entry without a key or value has the empty string for it.
    const key = keyStart === -1 ? ctx.knownKey('') : ctx.keys.get(r, keyStart, keyEnd);
    const wire = this.#wire;
    wire.keys[i] = key;
    // Request ids and URLs never repeat: copying them beats looking for an earlier copy.
    wire.cached[i] = valueStart !== -1 && !key.tag.unique;
    wire.values[i] = valueStart === -1 ? '' : wire.cached[i] ? ctx.strings.get(r, valueStart, valueEnd) : utf8(r.buf, valueStart, valueEnd);
    this.#wireStart[i] = start;
    this.#wireLength[i] = end - start;
  }

  /** True when `for...in` over the entries as an object would give them in wire order. */
  #isPlain(tags: SpanTags): boolean {
    return this.#plainKeys.check(tags.keys, tags.count);
  }

  /** The entries as protobufjs's object and `for...in` gave them. */
  #asObjectWouldIterate(tags: SpanTags): SpanTags {
    // No prototype, so `__proto__` is an ordinary key here too.
    const latest = Object.create(null) as Record<string, number>;
    for (let i = 0; i < tags.count; i++) latest[tags.keys[i]!.tag.name] = i;
    const out = this.#out;
    out.count = 0;
    for (const name in latest) {
      const i = latest[name]!;
      out.keys[out.count] = tags.keys[i]!;
      out.values[out.count] = tags.values[i]!;
      out.cached[out.count] = tags.cached[i]!;
      out.count++;
    }
    return out;
  }
}
