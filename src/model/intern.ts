/**
 * A bounded interner: equal strings and derived objects share one instance, so a million spans
 * from the same sidecars store `node_id`, cluster names and tag groups once. Two generations keep
 * the bound without an LRU's per-hit bookkeeping: when the young map fills it becomes the old one,
 * and entries still in use are promoted on their next lookup.
 */
export class Interner {
  #young = new Map<string, unknown>();
  #old = new Map<string, unknown>();
  readonly #recent = new Map<string, unknown>();
  readonly #maxEntries: number;

  /** @param maxEntries entries per generation; at most twice this many are held. */
  constructor(maxEntries = 50_000) {
    this.#maxEntries = maxEntries;
  }

  /** The canonical instance of `value`. */
  string(value: string): string {
    const hit = this.#young.get(value);
    if (hit !== undefined) return hit as string;
    return this.#miss(value, value);
  }

  /** The object stored under `key`, built by `make` on a miss. */
  object<T>(key: string, make: () => T): T {
    const hit = this.#young.get(key);
    if (hit !== undefined) return hit as T;
    const old = this.#old.get(key);
    return this.#miss(key, old !== undefined ? (old as T) : make());
  }

  /** The value last remembered under a fingerprint (a hint the caller verifies), if any. */
  recent(fingerprint: string): unknown {
    return this.#recent.get(fingerprint);
  }

  /** Remembers a value under a fingerprint; the map is simply dropped when it fills. */
  remember(fingerprint: string, value: unknown): void {
    if (this.#recent.size >= this.#maxEntries) this.#recent.clear();
    this.#recent.set(fingerprint, value);
  }

  get size(): number {
    return this.#young.size + this.#old.size;
  }

  #miss<T>(key: string, value: T): T {
    const old = this.#old.get(key);
    const kept = old !== undefined ? (old as T) : value;
    if (this.#young.size >= this.#maxEntries) {
      this.#old = this.#young;
      this.#young = new Map();
    }
    this.#young.set(key, kept);
    return kept;
  }
}
