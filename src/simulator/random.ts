/** Seeded randomness, so a simulation (and the bench built on it) is reproducible for a seed. */

/** A small deterministic PRNG (mulberry32), so runs and tests are reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Helpers over one PRNG stream. */
export class Random {
  readonly next: () => number;

  constructor(seed: number) {
    this.next = rng(seed);
  }

  uint32(): number {
    return Math.floor(this.next() * 0x100000000);
  }

  /** 8 lowercase hex chars. */
  hex8(): string {
    return this.uint32().toString(16).padStart(8, '0');
  }

  /**
   * `words` random 32-bit words as lowercase hex, the last one never zero (so an id is never all
   * zeros). One native hex conversion: ids are drawn for every emitted span.
   */
  hexWords(words: number): string {
    for (let i = 0; i < words; i++) {
      let w = this.uint32();
      while (w === 0 && i === words - 1) w = this.uint32();
      this.#scratch.writeUInt32BE(w, 4 * i);
    }
    return this.#scratch.toString('hex', 0, 4 * words);
  }

  readonly #scratch = Buffer.alloc(16);

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Uniform in [min, max). */
  between(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /**
   * Log-normal with the given median: service latencies have a long right tail, and a median is
   * what one reads off a dashboard.
   */
  logNormal(median: number, sigma: number): number {
    // Box-Muller; 1 - u keeps the log finite.
    const u = 1 - this.next();
    const v = this.next();
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return median * Math.exp(sigma * z);
  }
}

/** Mixes a seed with a stream label, so independent streams of one seed do not correlate. */
export function streamSeed(seed: number, stream: number): number {
  let h = Math.imul((seed ^ 0x9e3779b9) >>> 0, 0x85ebca6b) ^ Math.imul(stream + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  return (h ^ (h >>> 15)) >>> 0;
}
