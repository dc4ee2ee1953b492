/**
 * Records held column by column, ordered by start time.
 *
 * The audit holds every sampled inbound request and every root call for its whole retention (an
 * hour, up to a million records). As objects, each record cost several heap objects (the record
 * and its boxed timestamps) that every garbage collection copied or marked: at ingest rates that
 * cost more CPU than the audit's own work. In columns, times and numbers live in typed arrays, ids
 * as bytes (`id-column.ts`) and names as references to instances shared by every record of a
 * workload, so a record adds no heap object.
 */

/** One column: grows, reorders and drops its front together with the others. */
export interface Column {
  /** Makes room for `capacity` records (keeping the first `length`). */
  resize(capacity: number, length: number): void;
  /** Rewrites positions `from..` so that `from + k` holds what `order[k]` held. */
  permute(from: number, order: readonly number[]): void;
  /** Removes the first `count` of `length` records. */
  dropFront(count: number, length: number): void;
}

type TypedArray = Float64Array<ArrayBuffer> | Int32Array<ArrayBuffer> | Int8Array<ArrayBuffer>;

abstract class TypedColumn<A extends TypedArray> implements Column {
  values: A;

  constructor(capacity: number) {
    this.values = this.make(capacity);
  }

  protected abstract make(capacity: number): A;

  resize(capacity: number, length: number): void {
    const next = this.make(capacity);
    next.set(this.values.subarray(0, length));
    this.values = next;
  }

  permute(from: number, order: readonly number[]): void {
    const v = this.values;
    const old = v.slice(from, from + order.length);
    for (let k = 0; k < order.length; k++) v[from + k] = old[order[k]! - from]!;
  }

  dropFront(count: number, length: number): void {
    this.values.copyWithin(0, count, length);
  }
}

export class Float64Column extends TypedColumn<Float64Array<ArrayBuffer>> {
  protected make(capacity: number): Float64Array<ArrayBuffer> {
    return new Float64Array(capacity);
  }
}

export class Int32Column extends TypedColumn<Int32Array<ArrayBuffer>> {
  protected make(capacity: number): Int32Array<ArrayBuffer> {
    return new Int32Array(capacity);
  }
}

export class Int8Column extends TypedColumn<Int8Array<ArrayBuffer>> {
  protected make(capacity: number): Int8Array<ArrayBuffer> {
    return new Int8Array(capacity);
  }
}

/** References (strings the spans already hold, shared names): one array slot each, no copies. */
export class RefColumn<T> implements Column {
  values: T[] = [];

  resize(): void {
    // A plain array grows by itself.
  }

  permute(from: number, order: readonly number[]): void {
    const v = this.values;
    const old = v.slice(from, from + order.length);
    for (let k = 0; k < order.length; k++) v[from + k] = old[order[k]! - from]!;
  }

  dropFront(count: number): void {
    this.values.splice(0, count);
  }
}

const INITIAL_CAPACITY = 16;

/**
 * The columns of one kind of record, with the start times that order them. Appends are O(1) and
 * ordering waits for `sortFrom` (records arrive nearly in order, but traces settle out of order,
 * so a sorted insert would be a memmove per record).
 */
export class StartOrderedColumns {
  readonly #start = new Float64Column(INITIAL_CAPACITY);
  readonly #columns: Column[];
  #length = 0;
  #capacity = INITIAL_CAPACITY;

  constructor(columns: Column[]) {
    this.#columns = [this.#start, ...columns];
    for (const c of columns) c.resize(INITIAL_CAPACITY, 0);
  }

  get length(): number {
    return this.#length;
  }

  startUs(i: number): number {
    return this.#start.values[i]!;
  }

  /** Adds a record starting at `startUs`; returns its index, for the subclass to fill its columns. */
  protected append(startUs: number): number {
    const i = this.#length;
    if (i === this.#capacity) this.#resize(i * 2);
    this.#start.values[i] = startUs;
    this.#length = i + 1;
    return i;
  }

  #resize(capacity: number): void {
    for (const c of this.#columns) c.resize(capacity, this.#length);
    this.#capacity = capacity;
  }

  /** Index of the first record in [0, end) whose start is >= `t`. */
  lowerBound(t: number, end = this.#length): number {
    const start = this.#start.values;
    let lo = 0;
    let hi = end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (start[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the first record in [0, end) whose start is > `t`. */
  upperBound(t: number, end = this.#length): number {
    const start = this.#start.values;
    let lo = 0;
    let hi = end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (start[mid]! <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Sorts the records from `sortedTo` on into the sorted prefix before them, touching only the
   * part of the prefix they overlap (they mostly start after it). Stable: equal starts keep
   * their order. Returns the new sorted length (all of them).
   */
  sortFrom(sortedTo: number): number {
    const n = this.#length;
    if (sortedTo >= n) return n;
    const start = this.#start.values;
    let min = start[sortedTo]!;
    let tailSorted = true;
    for (let i = sortedTo + 1; i < n; i++) {
      const s = start[i]!;
      if (s < start[i - 1]!) tailSorted = false;
      if (s < min) min = s;
    }
    if (tailSorted && (sortedTo === 0 || start[sortedTo - 1]! <= start[sortedTo]!)) return n;
    const from = this.upperBound(min, sortedTo);
    const order: number[] = [];
    for (let i = from; i < n; i++) order.push(i);
    order.sort((a, b) => start[a]! - start[b]! || a - b);
    for (const c of this.#columns) c.permute(from, order);
    return n;
  }

  /** Removes the first `count` records; gives memory back once the columns are mostly empty. */
  dropFront(count: number): void {
    if (count <= 0) return;
    const n = this.#length;
    for (const c of this.#columns) c.dropFront(count, n);
    this.#length = n - count;
    if (this.#length * 4 < this.#capacity && this.#capacity > 4 * INITIAL_CAPACITY) this.#resize(Math.max(INITIAL_CAPACITY, this.#length * 2));
  }
}
