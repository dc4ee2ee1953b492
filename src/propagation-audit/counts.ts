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
    const m = Math.floor(atUs / this.#bucketUs);
    this.#byBucket.set(m, (this.#byBucket.get(m) ?? 0) + n);
  }

  /** Total over buckets overlapping [fromUs, toUs). */
  sum(fromUs: number, toUs: number): number {
    const from = Math.floor(fromUs / this.#bucketUs);
    const to = Math.floor((toUs - 1) / this.#bucketUs);
    let total = 0;
    for (const [m, n] of this.#byBucket) if (m >= from && m <= to) total += n;
    return total;
  }

  /** Per-bucket values over [fromUs, toUs), zero-filled, oldest first. */
  series(fromUs: number, toUs: number): number[] {
    const from = Math.floor(fromUs / this.#bucketUs);
    const to = Math.floor((toUs - 1) / this.#bucketUs);
    const out: number[] = [];
    for (let m = from; m <= to && out.length < 10_000; m++) out.push(this.#byBucket.get(m) ?? 0);
    return out;
  }

  /**
   * The earliest bucket boundary, µs, such that dropping everything before it drops at least
   * `n`; undefined when even dropping everything would not.
   */
  cutoffDropping(n: number): number | undefined {
    let dropped = 0;
    for (const m of [...this.#byBucket.keys()].sort((a, b) => a - b)) {
      dropped += this.#byBucket.get(m)!;
      if (dropped >= n) return (m + 1) * this.#bucketUs;
    }
    return undefined;
  }

  prune(cutoffUs: number): void {
    const cutoff = Math.floor(cutoffUs / this.#bucketUs);
    for (const m of this.#byBucket.keys()) if (m < cutoff) this.#byBucket.delete(m);
  }
}

export const MINUTE = MINUTE_US;
