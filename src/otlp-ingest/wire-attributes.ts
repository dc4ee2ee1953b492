/**
 * OTLP attribute lists (`repeated KeyValue`) read from protobuf bytes into tags, with the same
 * limits, redaction and key handling as `addAttributes`/`flatAttributes` (build-span.ts) apply to
 * protobufjs-decoded messages: a KeyValue without a `key` field is skipped, one without a value
 * renders as the empty string.
 */
import type { TagPacker } from '../model/index.js';
import type { DecodeContext, KnownKey } from '../ingest/context.js';
import type { WireReader } from '../ingest/wire-reader.js';
import { AnyValueReader, readKeyValue } from './wire-any-value.js';

/** Offsets of KeyValue messages as `[start0, end0, start1, end1, ...]`, filled by a decoder. */
export class Ranges {
  readonly at: number[] = [];
  count = 0;

  clear(): void {
    this.count = 0;
  }

  add(start: number, end: number): void {
    this.at[2 * this.count] = start;
    this.at[2 * this.count + 1] = end;
    this.count++;
  }
}

/** One request's attribute reading (it remembers the previous span's attributes, which are in the same buffer). */
export class AttributeReader {
  readonly #r: WireReader;
  readonly #ctx: DecodeContext;
  readonly #values: AnyValueReader;
  /*
   * The previous span's attributes by position. A sidecar writes its tags in the same order for
   * every span, most with the same value, so a KeyValue whose bytes equal those at the same
   * position in the previous span is that attribute again: one compare instead of decoding it and
   * looking up its key and value.
   */
  readonly #prevStart: number[] = [];
  readonly #prevLength: number[] = [];
  readonly #prevKey: (KnownKey | undefined)[] = [];
  readonly #prevValue: string[] = [];
  readonly #prevFromCache: boolean[] = [];

  constructor(reader: WireReader, ctx: DecodeContext) {
    this.#r = reader;
    this.#ctx = ctx;
    this.#values = new AnyValueReader(reader, ctx.strings);
  }

  /** Adds span attributes through the packer and the context's tag budget (as `addAttributes`). */
  addTo(packer: TagPacker, list: Ranges): void {
    const r = this.#r;
    const at = list.at;
    let count = 0;
    for (let i = 0; i < list.count; i++) {
      const start = at[2 * i]!;
      const length = at[2 * i + 1]! - start;
      if (i >= this.#prevStart.length || this.#prevLength[i] !== length || !r.sameBytes(this.#prevStart[i]!, start, length)) {
        this.#decodeAttribute(i, start, start + length);
      }
      const key = this.#prevKey[i];
      if (key === undefined) continue;
      if (!this.#ctx.addKnownTag(packer, count, key, this.#prevValue[i]!, this.#prevFromCache[i] === true)) break;
      count++;
    }
  }

  /** Decodes the KeyValue at `[start, end)` into position `i` of the previous-span memory. */
  #decodeAttribute(i: number, start: number, end: number): void {
    const r = this.#r;
    const { keyStart, keyEnd, valueStart, valueEnd } = readKeyValue(r, start, end);
    this.#prevStart[i] = start;
    this.#prevLength[i] = end - start;
    if (keyStart === -1) {
      this.#prevKey[i] = undefined;
      this.#prevValue[i] = '';
      this.#prevFromCache[i] = false;
      return;
    }
    const key = this.#ctx.keys.get(r, keyStart, keyEnd);
    this.#prevKey[i] = key;
    // Request ids and URLs never repeat: copying them beats looking for an earlier copy.
    this.#prevValue[i] = valueStart === -1 ? '' : this.#values.render(valueStart, valueEnd, !key.tag.unique);
    this.#prevFromCache[i] = valueStart !== -1 && this.#values.fromCache;
  }

  /** Resource and link attributes as flat `[key, value, ...]` under the span limits (as `flatAttributes`). */
  flat(list: Ranges): string[] {
    const r = this.#r;
    const ctx = this.#ctx;
    const { maxTagsPerSpan, maxTagValueLength } = ctx.limits;
    const at = list.at;
    const out: string[] = [];
    for (let i = 0; i < list.count; i++) {
      const { keyStart, keyEnd, valueStart, valueEnd } = readKeyValue(r, at[2 * i]!, at[2 * i + 1]!);
      if (keyStart === -1) continue;
      if (out.length >= maxTagsPerSpan * 2) {
        ctx.tagsLimited++;
        break;
      }
      const key = ctx.keys.get(r, keyStart, keyEnd).tag.name;
      let value = valueStart === -1 ? '' : this.#values.render(valueStart, valueEnd, true);
      if (value.length > maxTagValueLength) {
        ctx.tagsLimited++;
        value = value.slice(0, maxTagValueLength);
      }
      out.push(key, value);
    }
    return out;
  }
}
