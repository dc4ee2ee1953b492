/**
 * One pod's inbound request windows, stored column by column.
 *
 * The audit holds every sampled inbound request for its whole retention (an hour, up to a
 * million of them). As objects, each window cost three heap objects (the record and its two
 * boxed timestamps) that every garbage collection copied or marked: at ingest rates that cost
 * more CPU than the audit's own work. Here times and counts live in typed arrays, and ids and
 * names are references to strings the spans already hold, so a window adds no heap object.
 * Callers that need a window as an object get one made on demand ({@link WindowColumns.at}).
 */
import type { InboundObservation, WorkloadKey } from './observations.js';

const INITIAL_CAPACITY = 16;

function grownFloat64(a: Float64Array, capacity: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(capacity);
  b.set(a);
  return b;
}

function grownInt32(a: Int32Array, capacity: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(capacity);
  b.set(a);
  return b;
}

/** A typed array or an array: indexable and sliceable. */
interface Column<T> {
  [i: number]: T;
  slice(start: number, end: number): ArrayLike<T>;
}

/** Rewrites `col[from..]` so that position `from + k` holds what `order[k]` held. */
function permute<T>(col: Column<T>, from: number, order: readonly number[]): void {
  const old = col.slice(from, from + order.length);
  for (let k = 0; k < order.length; k++) col[from + k] = old[order[k]! - from]!;
}

export class WindowColumns {
  #start = new Float64Array(INITIAL_CAPACITY);
  #end = new Float64Array(INITIAL_CAPACITY);
  #children = new Int32Array(INITIAL_CAPACITY);
  #traceIds: string[] = [];
  #spanIds: string[] = [];
  #requestIds: (string | undefined)[] = [];
  #workloads: WorkloadKey[] = [];
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(o: InboundObservation): void {
    const i = this.#length;
    if (i === this.#start.length) {
      const capacity = i * 2;
      this.#start = grownFloat64(this.#start, capacity);
      this.#end = grownFloat64(this.#end, capacity);
      this.#children = grownInt32(this.#children, capacity);
    }
    this.#start[i] = o.startUs;
    this.#end[i] = o.endUs;
    this.#children[i] = o.outboundChildren;
    this.#traceIds.push(o.traceId);
    this.#spanIds.push(o.spanId);
    this.#requestIds.push(o.requestId);
    this.#workloads.push(o.workload);
    this.#length = i + 1;
  }

  startUs(i: number): number {
    return this.#start[i]!;
  }

  endUs(i: number): number {
    return this.#end[i]!;
  }

  outboundChildren(i: number): number {
    return this.#children[i]!;
  }

  workload(i: number): WorkloadKey {
    return this.#workloads[i]!;
  }

  /** The `i`-th window as an observation of `pod` (a new object each call). */
  at(i: number, pod: string): InboundObservation {
    return {
      traceId: this.#traceIds[i]!, spanId: this.#spanIds[i]!, pod, workload: this.#workloads[i]!,
      startUs: this.#start[i]!, endUs: this.#end[i]!, requestId: this.#requestIds[i], outboundChildren: this.#children[i]!,
    };
  }

  /** Index of the first window in [0, end) whose start is >= `t`. */
  lowerBound(t: number, end = this.#length): number {
    const start = this.#start;
    let lo = 0;
    let hi = end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (start[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the first window in [0, end) whose start is > `t`. */
  upperBound(t: number, end = this.#length): number {
    const start = this.#start;
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
   * Sorts the windows from `sortedTo` on into the sorted prefix before them, touching only the
   * part of the prefix they overlap (they mostly start after it). Stable: equal starts keep
   * their order. Returns the new sorted length (all of them).
   */
  sortFrom(sortedTo: number): number {
    const n = this.#length;
    if (sortedTo >= n) return n;
    const start = this.#start;
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
    permute(this.#start, from, order);
    permute(this.#end, from, order);
    permute(this.#children, from, order);
    permute(this.#traceIds, from, order);
    permute(this.#spanIds, from, order);
    permute(this.#requestIds, from, order);
    permute(this.#workloads, from, order);
    return n;
  }

  /** Removes the first `count` windows; gives memory back once the columns are mostly empty. */
  dropFront(count: number): void {
    if (count <= 0) return;
    const n = this.#length;
    const capacity = this.#start.length;
    if ((n - count) * 4 < capacity && capacity > 4 * INITIAL_CAPACITY) {
      const size = Math.max(INITIAL_CAPACITY, (n - count) * 2);
      this.#start = this.#start.slice(count, count + size);
      this.#end = this.#end.slice(count, count + size);
      this.#children = this.#children.slice(count, count + size);
      if (this.#start.length < size) {
        this.#start = grownFloat64(this.#start, size);
        this.#end = grownFloat64(this.#end, size);
        this.#children = grownInt32(this.#children, size);
      }
    } else {
      this.#start.copyWithin(0, count, n);
      this.#end.copyWithin(0, count, n);
      this.#children.copyWithin(0, count, n);
    }
    this.#traceIds.splice(0, count);
    this.#spanIds.splice(0, count);
    this.#requestIds.splice(0, count);
    this.#workloads.splice(0, count);
    this.#length = n - count;
  }
}
