/** Counts per minute, summed over time ranges; old minutes are dropped by `prune`. */
const MINUTE_US = 60_000_000;

export class MinuteCounts {
  readonly #byMinute = new Map<number, number>();

  add(atUs: number, n = 1): void {
    const m = Math.floor(atUs / MINUTE_US);
    this.#byMinute.set(m, (this.#byMinute.get(m) ?? 0) + n);
  }

  /** Total over minutes overlapping [fromUs, toUs). */
  sum(fromUs: number, toUs: number): number {
    const from = Math.floor(fromUs / MINUTE_US);
    const to = Math.floor((toUs - 1) / MINUTE_US);
    let total = 0;
    for (const [m, n] of this.#byMinute) if (m >= from && m <= to) total += n;
    return total;
  }

  /** Per-minute values over [fromUs, toUs), zero-filled, oldest first. */
  series(fromUs: number, toUs: number): number[] {
    const from = Math.floor(fromUs / MINUTE_US);
    const to = Math.floor((toUs - 1) / MINUTE_US);
    const out: number[] = [];
    for (let m = from; m <= to && out.length < 10_000; m++) out.push(this.#byMinute.get(m) ?? 0);
    return out;
  }

  /**
   * The earliest minute boundary, µs, such that dropping everything before it drops at least
   * `n`; undefined when even dropping everything would not.
   */
  cutoffDropping(n: number): number | undefined {
    let dropped = 0;
    for (const m of [...this.#byMinute.keys()].sort((a, b) => a - b)) {
      dropped += this.#byMinute.get(m)!;
      if (dropped >= n) return (m + 1) * MINUTE_US;
    }
    return undefined;
  }

  prune(cutoffUs: number): void {
    const cutoff = Math.floor(cutoffUs / MINUTE_US);
    for (const m of this.#byMinute.keys()) if (m < cutoff) this.#byMinute.delete(m);
  }
}

export const MINUTE = MINUTE_US;
