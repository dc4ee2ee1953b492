/**
 * A counting filter over trace ids: "certainly not present" in one byte read, so the common case
 * of a trace nobody has seen yet skips a lookup in a map of hundreds of thousands of traces (whose
 * cache misses made it one of ingest's largest costs). Counts saturate rather than wrap, so the
 * filter can only err towards "maybe present", which sends the caller to the map as before.
 */
export class TraceIdFilter {
  readonly #counts: Uint8Array;
  readonly #mask: number;

  /** @param expected how many ids it will typically hold; it takes at least four buckets per id */
  constructor(expected: number) {
    let size = 1 << 16;
    while (size < expected * 4 && size < 1 << 22) size <<= 1;
    this.#counts = new Uint8Array(size);
    this.#mask = size - 1;
  }

  add(traceId: string): void {
    const i = this.#bucket(traceId);
    if (this.#counts[i]! < 255) this.#counts[i]!++;
  }

  /** Forgets one `add` of the id; a saturated bucket stays saturated (it no longer knows its count). */
  delete(traceId: string): void {
    const i = this.#bucket(traceId);
    const c = this.#counts[i]!;
    if (c > 0 && c < 255) this.#counts[i] = c - 1;
  }

  /** False when the id was certainly not added (or was deleted as often as added). */
  mayHave(traceId: string): boolean {
    return this.#counts[this.#bucket(traceId)] !== 0;
  }

  /** Trace ids are random hex; their last eight characters carry 32 random bits (also for 64-bit ids). */
  #bucket(traceId: string): number {
    let h = 0x811c9dc5;
    for (let i = Math.max(0, traceId.length - 8); i < traceId.length; i++) h = Math.imul(h ^ traceId.charCodeAt(i), 0x01000193);
    return (h ^ (h >>> 15)) & this.#mask;
  }
}
