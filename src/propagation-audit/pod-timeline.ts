/**
 * One sidecar's inbound request windows and root calls, each kept sorted by start time. Both
 * sides of a gap come from the same Envoy, so they share a clock: clock skew between pods never
 * enters the comparison.
 */
import type { InboundObservation, OutboundObservation } from './observations.js';
import type { RootResolution } from './resolve.js';

export interface RootRecord {
  readonly call: OutboundObservation;
  /** `call.startUs`, kept beside it so both timelines sort on a plain `startUs` field. */
  readonly startUs: number;
  /** Undefined until resolved, and again whenever a new inbound window may change the answer. */
  resolution: RootResolution | undefined;
}

/** Index of the first element among `list[0..end)` whose start is > `t`. */
interface Timed { readonly startUs: number }

function upperBound(list: readonly Timed[], t: number, end = list.length): number {
  let lo = 0;
  let hi = end;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.startUs <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function lowerBound(list: readonly Timed[], t: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.startUs < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Sorts `list[sortedTo..]` and merges it into the sorted prefix, touching only the part of the
 * prefix it overlaps: a tick's new observations mostly start after the old ones, so this is
 * O(k log k) for k new elements instead of a sort of the whole retention. Returns the new length.
 */
export function sortTail<T extends Timed>(list: T[], sortedTo: number): number {
  if (sortedTo >= list.length) return list.length;
  const tail = list.slice(sortedTo);
  // Traces settle roughly in start order, so the tail is usually sorted already.
  let sorted = true;
  for (let i = 1; i < tail.length && sorted; i++) sorted = tail[i - 1]!.startUs <= tail[i]!.startUs;
  if (!sorted) tail.sort(byStart);
  const from = upperBound(list, tail[0]!.startUs, sortedTo);
  if (from === sortedTo) {
    if (!sorted) for (let i = 0; i < tail.length; i++) list[sortedTo + i] = tail[i]!;
    return list.length;
  }
  const head = list.slice(from, sortedTo);
  let h = 0;
  let t = 0;
  for (let out = from; out < list.length; out++) {
    list[out] = t >= tail.length || (h < head.length && head[h]!.startUs <= tail[t]!.startUs) ? head[h++]! : tail[t++]!;
  }
  return list.length;
}

function byStart(a: Timed, b: Timed): number {
  return a.startUs - b.startUs;
}

export function claimKey(spanId: string, callee: string): string {
  return `${spanId} ${callee}`;
}


/** Requests running longer than this are not followed as windows (long polls, streams). */
const MAX_WINDOW_US = 60_000_000;

export class PodTimeline {
  readonly pod: string;
  readonly inbound: InboundObservation[] = [];
  readonly roots: RootRecord[] = [];
  /**
   * Which root claimed a window, per callee (`spanId callee`): a request usually calls a given
   * service once, so a window already explaining one root to that callee is a worse candidate.
   */
  readonly claims = new Map<string, RootRecord>();
  #longestUs = 0;
  /** Earliest start among windows added since roots were last resolved. */
  #dirtyFromUs = Number.POSITIVE_INFINITY;

  constructor(pod: string) {
    this.pod = pod;
  }

  /**
   * Appends are O(1) and ordering waits for the next read: spans arrive nearly in order, but
   * traces settle out of order, so a sorted insert would be a memmove per span. Elements before
   * these indexes are known to be sorted.
   */
  #inboundSortedTo = 0;
  #rootsSortedTo = 0;

  #sort(): void {
    this.#inboundSortedTo = sortTail(this.inbound, this.#inboundSortedTo);
    this.#rootsSortedTo = sortTail(this.roots, this.#rootsSortedTo);
  }

  addInbound(o: InboundObservation): void {
    this.inbound.push(o);
    const length = Math.min(o.endUs - o.startUs, MAX_WINDOW_US);
    if (length > this.#longestUs) this.#longestUs = length;
    if (o.startUs < this.#dirtyFromUs) this.#dirtyFromUs = o.startUs;
  }

  addRoot(call: OutboundObservation): void {
    this.roots.push({ call, startUs: call.startUs, resolution: undefined });
  }

  /** Inbound windows open at `t` (or closed less than `graceUs` before it), latest start first. */
  windowsAt(t: number, graceUs: number): InboundObservation[] {
    this.#sort();
    const out: InboundObservation[] = [];
    const earliest = t - this.#longestUs - graceUs;
    for (let i = upperBound(this.inbound, t) - 1; i >= 0; i--) {
      const o = this.inbound[i]!;
      if (o.startUs < earliest) break;
      if (o.endUs + graceUs >= t) out.push(o);
    }
    return out;
  }

  /** Roots whose answer may have changed since the last call (new roots, or new windows over them). */
  takeUnresolved(): RootRecord[] {
    this.#sort();
    const out: RootRecord[] = [];
    const from = lowerBound(this.roots, this.#dirtyFromUs);
    for (let i = 0; i < this.roots.length; i++) {
      const r = this.roots[i]!;
      if (i >= from || r.resolution === undefined) out.push(r);
    }
    this.#dirtyFromUs = Number.POSITIVE_INFINITY;
    // Their claims are made again, in time order, as they are resolved.
    for (const r of out) {
      const parent = r.resolution?.parent;
      if (parent !== undefined && this.claims.get(claimKey(parent.spanId, r.call.callee)) === r) this.claims.delete(claimKey(parent.spanId, r.call.callee));
    }
    return out;
  }

  /** Inbound windows starting in [fromUs, toUs). */
  inboundBetween(fromUs: number, toUs: number): InboundObservation[] {
    this.#sort();
    return this.inbound.slice(lowerBound(this.inbound, fromUs), lowerBound(this.inbound, toUs));
  }

  rootsBetween(fromUs: number, toUs: number): RootRecord[] {
    this.#sort();
    return this.roots.slice(lowerBound(this.roots, fromUs), lowerBound(this.roots, toUs));
  }

  /**
   * Fraction of [fromUs, toUs) covered by at least one inbound window (each extended by
   * `graceUs`, as candidates are): the chance that a call at a random time finds a window.
   */
  busyFraction(fromUs: number, toUs: number, graceUs: number): number {
    if (toUs <= fromUs) return 0;
    let covered = 0;
    let runStart = -1;
    let runEnd = -1;
    for (const o of this.inboundBetween(fromUs - this.#longestUs, toUs)) {
      const s = Math.max(o.startUs, fromUs);
      const e = Math.min(o.endUs + graceUs, toUs);
      if (e <= s) continue;
      if (s > runEnd) {
        if (runEnd > runStart) covered += runEnd - runStart;
        runStart = s;
        runEnd = e;
      } else if (e > runEnd) runEnd = e;
    }
    if (runEnd > runStart) covered += runEnd - runStart;
    return covered / (toUs - fromUs);
  }

  /** Drops everything that started before `cutoffUs`; returns how many observations went. */
  prune(cutoffUs: number): number {
    this.#sort();
    const i = lowerBound(this.inbound, cutoffUs);
    if (i > 0) {
      this.inbound.splice(0, i);
      this.#inboundSortedTo -= i;
    }
    const r = lowerBound(this.roots, cutoffUs);
    if (r > 0) {
      this.#rootsSortedTo -= r;
      for (const old of this.roots.splice(0, r)) {
        const parent = old.resolution?.parent;
        if (parent !== undefined) this.claims.delete(claimKey(parent.spanId, old.call.callee));
      }
    }
    return i + r;
  }

  get empty(): boolean {
    return this.inbound.length === 0 && this.roots.length === 0;
  }
}
