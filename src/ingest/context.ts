import { Interner, MAX_SHARED_VALUE, TagKey, TagPacker } from '../model/index.js';
import { Redactor } from './redact.js';
import type { Redaction } from './redact.js';
import { ByteCache } from './string-cache.js';

/** Per-span limits a decoder enforces. */
export interface SpanLimits {
  /** Tags (attributes) kept per span; extra ones are dropped and counted. Default 128. */
  readonly maxTagsPerSpan: number;
  /** Longest tag value kept, in UTF-16 code units; longer values are truncated. Default 4096. */
  readonly maxTagValueLength: number;
  /** Annotations (events) and links kept per span. Default 128. */
  readonly maxEventsPerSpan: number;
}

export const DEFAULT_SPAN_LIMITS: SpanLimits = { maxTagsPerSpan: 128, maxTagValueLength: 4096, maxEventsPerSpan: 128 };

/** A tag key with everything decided about it once: how it packs, and whether its values are redacted. */
export interface KnownKey {
  readonly tag: TagKey;
  readonly redaction: Redaction;
}

/**
 * The value cache's size, 2^15 slots (4 MiB of bytes): sizes and other numeric tags take thousands
 * of values per key, and a quarter as many slots left a third of them displaced by collisions.
 */
const STRING_SLOT_BITS = 15;

/** Distinct keys remembered; beyond it keys are still handled, just worked out each time. */
const MAX_KNOWN_KEYS = 10_000;

/** Shared state for decoders: the interner that lets spans share strings, and the limits. */
export class DecodeContext {
  readonly interner: Interner;
  readonly limits: SpanLimits;
  /** Tags dropped or truncated by limits since start (a counter for metrics). */
  tagsLimited = 0;

  /** Blanks credentials in tag values before they are stored. */
  readonly redactor: Redactor;
  /**
   * Repeated strings read straight from request bytes (the protobuf decoders): the interner's
   * instances, except values too long to share (`MAX_SHARED_VALUE`).
   */
  readonly strings: ByteCache<string>;
  /** Tag keys read straight from request bytes (the protobuf decoders). */
  readonly keys: ByteCache<KnownKey>;
  readonly #known = new Map<string, KnownKey>();
  readonly #packer: TagPacker;

  constructor(limits: SpanLimits = DEFAULT_SPAN_LIMITS, interner = new Interner(), redactor = new Redactor()) {
    this.limits = limits;
    this.interner = interner;
    this.redactor = redactor;
    this.#packer = new TagPacker(interner);
    // Strings too long to cache are still interned if the packer would have interned them.
    this.strings = new ByteCache((s) => interner.string(s), (s) => (s.length <= MAX_SHARED_VALUE ? interner.string(s) : s), STRING_SLOT_BITS);
    this.keys = new ByteCache((s) => this.knownKey(s));
  }

  /**
   * The context's packer. Decoders run synchronously from start to finish, so one packer (and
   * its cache of recently used tag groups) serves every request in turn.
   */
  packer(): TagPacker {
    return this.#packer;
  }

  /** What is known about a tag key (cached per distinct key). */
  knownKey(name: string): KnownKey {
    let known = this.#known.get(name);
    if (known === undefined) {
      known = { tag: new TagKey(this.interner.string(name)), redaction: this.redactor.actionFor(name) };
      if (this.#known.size < MAX_KNOWN_KEYS) this.#known.set(name, known);
    }
    return known;
  }

  /** Adds one tag through the limits; returns false once the span's tag budget is spent. */
  addTag(packer: TagPacker, count: number, key: string, value: string): boolean {
    return this.addKnownTag(packer, count, this.knownKey(key), value);
  }

  /** {@link addTag} for a key already looked up; `interned`: the value is the interner's instance (see `TagPacker.addKey`). */
  addKnownTag(packer: TagPacker, count: number, key: KnownKey, value: string, interned = false): boolean {
    if (count >= this.limits.maxTagsPerSpan) {
      this.tagsLimited++;
      return false;
    }
    if (value.length > this.limits.maxTagValueLength) {
      this.tagsLimited++;
      value = value.slice(0, this.limits.maxTagValueLength);
      interned = false;
    }
    const kept = this.redactor.apply(key.redaction, value);
    packer.addKey(key.tag, kept, interned && kept === value);
    return true;
  }
}
