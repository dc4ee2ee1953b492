const MINUTE_US = 60_000_000;

/** Counts per time bucket (a minute unless told), summed over time ranges; old buckets are dropped by `prune`. */
export class TimeCounts {
  readonly #byBucket = new Map<number, number>();
  readonly #bucketUs: number;

  /** @param bucketUs bucket width; `series` gives one value per bucket */
  constructor(bucketUs = MINUTE_US) {
    this.#bucketUs = bucketUs;
  }

  add(atUs: number, n = 1): void {
    const b = Math.floor(atUs / this.#bucketUs);
    this.#byBucket.set(b, (this.#byBucket.get(b) ?? 0) + n);
  }

  /** Total over buckets overlapping [fromUs, toUs). */
  sum(fromUs: number, toUs: number): number {
    const from = Math.floor(fromUs / this.#bucketUs);
    const to = Math.floor((toUs - 1) / this.#bucketUs);
    let total = 0;
    for (const [b, n] of this.#byBucket) if (b >= from && b <= to) total += n;
    return total;
  }

  /** Per-bucket values over [fromUs, toUs), zero-filled, oldest first. */
  series(fromUs: number, toUs: number): number[] {
    const from = Math.floor(fromUs / this.#bucketUs);
    const to = Math.floor((toUs - 1) / this.#bucketUs);
    const out: number[] = [];
    for (let b = from; b <= to && out.length < 10_000; b++) out.push(this.#byBucket.get(b) ?? 0);
    return out;
  }

  /**
   * The earliest bucket boundary, µs, such that dropping everything before it drops at least
   * `n`; undefined when even dropping everything would not.
   */
  cutoffDropping(n: number): number | undefined {
    let dropped = 0;
    for (const b of [...this.#byBucket.keys()].sort((x, y) => x - y)) {
      dropped += this.#byBucket.get(b)!;
      if (dropped >= n) return (b + 1) * this.#bucketUs;
    }
    return undefined;
  }

  prune(cutoffUs: number): void {
    const cutoff = Math.floor(cutoffUs / this.#bucketUs);
    for (const b of this.#byBucket.keys()) if (b < cutoff) this.#byBucket.delete(b);
  }
}

export const MINUTE = MINUTE_US;
