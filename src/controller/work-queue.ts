/**
 * A deduplicating work queue, like client-go's: a key queued twice runs once, a key re-added while
 * it runs runs again afterwards (never twice at once), delayed re-adds wait on a timer, and failed
 * keys come back with per-key exponential backoff.
 */
export class WorkQueue {
  readonly #queued = new Set<string>();
  readonly #running = new Set<string>();
  readonly #dirty = new Set<string>();
  readonly #timers = new Map<string, NodeJS.Timeout & { dueAt: number }>();
  readonly #failures = new Map<string, number>();
  readonly #worker: (key: string) => Promise<void>;
  readonly #concurrency: number;
  #active = 0;
  #stopped = false;
  #paused = true;
  #idle: (() => void)[] = [];

  constructor(worker: (key: string) => Promise<void>, concurrency = 4) {
    this.#worker = worker;
    this.#concurrency = concurrency;
  }

  add(key: string): void {
    if (this.#stopped) return;
    if (this.#running.has(key)) {
      this.#dirty.add(key);
      return;
    }
    this.#queued.add(key);
    this.#pump();
  }

  /** Runs the key after `ms` (the earliest of several requests wins). */
  addAfter(key: string, ms: number): void {
    if (this.#stopped) return;
    const existing = this.#timers.get(key);
    const dueAt = Date.now() + ms;
    if (existing !== undefined && existing.dueAt <= dueAt) return;
    if (existing !== undefined) clearTimeout(existing);
    const timer = Object.assign(setTimeout(() => { this.#timers.delete(key); this.add(key); }, Math.max(0, ms)), { dueAt });
    timer.unref();
    this.#timers.set(key, timer);
  }

  /** Re-adds a failed key after 250 ms × 2^failures, at most 60 s. */
  retry(key: string): void {
    const n = (this.#failures.get(key) ?? 0) + 1;
    this.#failures.set(key, n);
    this.addAfter(key, Math.min(60_000, 250 * 2 ** (n - 1)));
  }

  forget(key: string): void {
    this.#failures.delete(key);
  }

  /** Workers run only while resumed (the leader); keys keep queueing while paused. */
  resume(): void { this.#paused = false; this.#pump(); }
  pause(): void { this.#paused = true; }

  get length(): number { return this.#queued.size + this.#running.size; }

  /** Resolves when nothing is queued or running. */
  drained(): Promise<void> {
    return this.length === 0 ? Promise.resolve() : new Promise((resolve) => this.#idle.push(resolve));
  }

  stop(): void {
    this.#stopped = true;
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
    this.#queued.clear();
  }

  #pump(): void {
    while (!this.#paused && !this.#stopped && this.#active < this.#concurrency && this.#queued.size > 0) {
      const key = this.#queued.values().next().value as string;
      this.#queued.delete(key);
      this.#running.add(key);
      this.#active++;
      void this.#worker(key).catch(() => undefined).finally(() => {
        this.#active--;
        this.#running.delete(key);
        if (this.#dirty.delete(key)) this.#queued.add(key);
        if (this.length === 0) for (const resolve of this.#idle.splice(0)) resolve();
        this.#pump();
      });
    }
  }
}
