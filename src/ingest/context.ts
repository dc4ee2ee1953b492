import { Interner, TagPacker } from '../model/index.js';
import { Redactor } from './redact.js';

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

/** Shared state for decoders: the interner that lets spans share strings, and the limits. */
export class DecodeContext {
  readonly interner: Interner;
  readonly limits: SpanLimits;
  /** Tags dropped or truncated by limits since start (a counter for metrics). */
  tagsLimited = 0;

  /** Blanks credentials in tag values before they are stored. */
  readonly redactor: Redactor;

  constructor(limits: SpanLimits = DEFAULT_SPAN_LIMITS, interner = new Interner(), redactor = new Redactor()) {
    this.limits = limits;
    this.interner = interner;
    this.redactor = redactor;
    this.#packer = new TagPacker(interner);
  }

  readonly #packer: TagPacker;

  /**
   * The context's packer. Decoders run synchronously from start to finish, so one packer (and
   * its cache of recently used tag groups) serves every request in turn.
   */
  packer(): TagPacker {
    return this.#packer;
  }

  /** Adds one tag through the limits; returns false once the span's tag budget is spent. */
  addTag(packer: TagPacker, count: number, key: string, value: string): boolean {
    if (count >= this.limits.maxTagsPerSpan) {
      this.tagsLimited++;
      return false;
    }
    if (value.length > this.limits.maxTagValueLength) {
      this.tagsLimited++;
      value = value.slice(0, this.limits.maxTagValueLength);
    }
    packer.add(key, this.redactor.value(key, value));
    return true;
  }
}
