/**
 * One sidecar's inbound request windows and root calls, each kept sorted by start time. Both
 * sides of a gap come from the same Envoy, so they share a clock: clock skew between pods never
 * enters the comparison.
 */
import { dropClaim } from './observations.js';
import type { InboundObservation, RootCall } from './observations.js';
import { mergeTallies, tallyRange } from './range-tally.js';
import type { RangeTally } from './range-tally.js';

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

function mergeByStart<T extends Timed>(a: readonly T[], b: readonly T[]): T[] {
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) out.push(j >= b.length || (i < a.length && a[i]!.startUs <= b[j]!.startUs) ? a[i++]! : b[j++]!);
  return out;
}

/** Requests running longer than this are not followed as windows (long polls, streams). */
const MAX_WINDOW_US = 60_000_000;

/**
 * Reports add up cached tallies of this length: short enough that a report's partial first and
 * last buckets are cheap to scan, long enough that an hour is a few hundred of them per pod.
 */
export const TALLY_BUCKET_US = 10_000_000;

const bucketOf = (us: number): number => Math.floor(us / TALLY_BUCKET_US);

/** Whole minutes of a report add up one cached merge of their buckets: an hour is 60 parts, not 360. */
const BUCKETS_PER_GROUP = 6;

export class PodTimeline {
  readonly pod: string;
  readonly inbound: InboundObservation[] = [];
  readonly roots: RootCall[] = [];
  #longestUs = 0;
  /**
   * Where windows added since roots were last resolved can be candidates: from their earliest
   * start to their latest start + length + grace. Roots outside it keep their answer (a changed
   * claim could in principle ripple further; re-resolving everything after it cost a full pass
   * over the retention whenever a late trace arrived).
   */
  #dirtyFromUs = Number.POSITIVE_INFINITY;
  #dirtyToUs = Number.NEGATIVE_INFINITY;
  /** Roots added since the last resolution, wherever they fall. */
  #fresh: RootCall[] = [];
  /**
   * Everything that started before this has been pruned. The arrays keep such a dead prefix until
   * it is a good share of them: removing the front of a large array copies all of it, which at a
   * prune a second cost more than the rest of the audit.
   */
  #cutoffUs = Number.NEGATIVE_INFINITY;
  /** How long after a request answered a call may still be its follow-up; windows count as busy that much longer. */
  readonly #graceUs: number;
  /**
   * Per bucket, the sequence number of its last change (one counter for the pod, so a group of
   * buckets changed since it was merged shows a higher maximum); a cached tally of another version is stale.
   */
  readonly #bucketVersions = new Map<number, number>();
  #changes = 0;
  readonly #tallies = new Map<number, { readonly version: number; readonly tally: RangeTally }>();
  readonly #groupTallies = new Map<number, { readonly version: number; readonly tally: RangeTally }>();
  /** Buckets changed since their tally was last computed, for `warm`. */
  readonly #staleBuckets = new Set<number>();

  constructor(pod: string, graceUs = 0) {
    this.pod = pod;
    this.#graceUs = graceUs;
  }

  #touch(fromUs: number, toUs: number): void {
    for (let b = bucketOf(fromUs); b <= bucketOf(toUs); b++) {
      this.#bucketVersions.set(b, ++this.#changes);
      this.#staleBuckets.add(b);
    }
  }

  /**
   * Recomputes stale bucket tallies until `deadline` (a `performance.now()` value), so a report
   * finds them ready; returns false when some are left. Roots must be resolved first.
   */
  warm(deadline: number): boolean {
    this.#sort();
    for (const b of this.#staleBuckets) {
      if (performance.now() > deadline) return false;
      this.#bucketTally(b);
    }
    return true;
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

  /** Adds a request window; false (and nothing added) when it started before the pruning cutoff. */
  addInbound(o: InboundObservation): boolean {
    if (o.startUs < this.#cutoffUs) return false;
    this.inbound.push(o);
    const length = Math.min(o.endUs - o.startUs, MAX_WINDOW_US);
    if (length > this.#longestUs) this.#longestUs = length;
    if (o.startUs < this.#dirtyFromUs) this.#dirtyFromUs = o.startUs;
    const reach = o.startUs + length + this.#graceUs;
    if (reach > this.#dirtyToUs) this.#dirtyToUs = reach;
    // The buckets it counts in, and those whose busy time it covers.
    this.#touch(o.startUs, reach);
    return true;
  }

  /** Adds a root call; false (and nothing added) when it started before the pruning cutoff. */
  addRoot(call: RootCall): boolean {
    if (call.startUs < this.#cutoffUs) return false;
    this.roots.push(call);
    this.#fresh.push(call);
    this.#touch(call.startUs, call.startUs);
    return true;
  }

  /** Index of the first live (unpruned) element. */
  #live(list: readonly Timed[]): number {
    return lowerBound(list, this.#cutoffUs);
  }

  /** Inbound windows open at `t` (or closed less than `graceUs` before it), latest start first. */
  windowsAt(t: number, graceUs: number): InboundObservation[] {
    this.#sort();
    const out: InboundObservation[] = [];
    const earliest = Math.max(t - this.#longestUs - graceUs, this.#cutoffUs);
    for (let i = upperBound(this.inbound, t) - 1; i >= 0; i--) {
      const o = this.inbound[i]!;
      if (o.startUs < earliest) break;
      if (o.endUs + graceUs >= t) out.push(o);
    }
    return out;
  }

  /** Roots whose answer may have changed since the last call (new roots, or new windows over them). */
  takeUnresolved(): RootCall[] {
    this.#sort();
    const from = lowerBound(this.roots, Math.max(this.#dirtyFromUs, this.#cutoffUs));
    const to = upperBound(this.roots, this.#dirtyToUs);
    const around = this.roots.slice(from, Math.max(from, to));
    const fresh = this.#fresh.filter((r) => r.startUs < this.#dirtyFromUs || r.startUs > this.#dirtyToUs).sort(byStart);
    const out = fresh.length === 0 ? around : mergeByStart(fresh, around);
    this.#fresh = [];
    this.#dirtyFromUs = Number.POSITIVE_INFINITY;
    this.#dirtyToUs = Number.NEGATIVE_INFINITY;
    // Their claims are made again, in time order, as they are resolved.
    for (const r of out) {
      this.#touch(r.startUs, r.startUs);
      dropClaim(r);
    }
    return out;
  }


  /** Inbound windows starting in [fromUs, toUs). */
  inboundBetween(fromUs: number, toUs: number): InboundObservation[] {
    this.#sort();
    const from = Math.max(fromUs, this.#cutoffUs);
    return from >= toUs ? [] : this.inbound.slice(lowerBound(this.inbound, from), lowerBound(this.inbound, toUs));
  }

  rootsBetween(fromUs: number, toUs: number): RootCall[] {
    this.#sort();
    const from = Math.max(fromUs, this.#cutoffUs);
    return from >= toUs ? [] : this.roots.slice(lowerBound(this.roots, from), lowerBound(this.roots, toUs));
  }

  /**
   * Fraction of [fromUs, toUs) covered by at least one inbound window (each extended by
   * `graceUs`, as candidates are): the chance that a call at a random time finds a window.
   */
  busyFraction(fromUs: number, toUs: number, graceUs: number): number {
    return toUs <= fromUs ? 0 : this.coveredUs(fromUs, toUs, graceUs) / (toUs - fromUs);
  }

  /** Time in [fromUs, toUs) covered by at least one inbound window extended by `graceUs`. */
  coveredUs(fromUs: number, toUs: number, graceUs = this.#graceUs): number {
    if (toUs <= fromUs) return 0;
    let covered = 0;
    let runStart = -1;
    let runEnd = -1;
    this.#sort();
    const last = lowerBound(this.inbound, toUs);
    // A window reaches `graceUs` past its end, so one that started up to longest + grace earlier still counts.
    for (let i = lowerBound(this.inbound, Math.max(fromUs - this.#longestUs - graceUs, this.#cutoffUs)); i < last; i++) {
      const o = this.inbound[i]!;
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
    return covered;
  }

  /**
   * Tallies of [fromUs, toUs) in time order, one per bucket it overlaps that holds observations
   * of this pod: whole buckets from the cache, the partial first and last ones scanned. Roots must
   * be resolved first (`takeUnresolved`).
   */
  tallies(fromUs: number, toUs: number): RangeTally[] {
    this.#sort();
    const firstStart = Math.min(this.inbound[this.#live(this.inbound)]?.startUs ?? Infinity, this.roots[this.#live(this.roots)]?.startUs ?? Infinity);
    const lastStart = Math.max(this.inbound.at(-1)?.startUs ?? -Infinity, this.roots.at(-1)?.startUs ?? -Infinity);
    const lo = Math.max(fromUs, firstStart);
    const hi = Math.min(toUs, lastStart + 1);
    const out: RangeTally[] = [];
    for (let b = bucketOf(lo); lo < hi && b <= bucketOf(hi - 1); b++) {
      const start = b * TALLY_BUCKET_US;
      const end = start + TALLY_BUCKET_US;
      if (b % BUCKETS_PER_GROUP === 0 && start >= lo && start + BUCKETS_PER_GROUP * TALLY_BUCKET_US <= hi) {
        out.push(this.#groupTally(b / BUCKETS_PER_GROUP));
        b += BUCKETS_PER_GROUP - 1;
      } else if (start >= lo && end <= hi) out.push(this.#bucketTally(b));
      else out.push(this.#tally(Math.max(lo, start), Math.min(hi, end)));
    }
    return out;
  }

  #groupTally(g: number): RangeTally {
    const first = g * BUCKETS_PER_GROUP;
    let version = 0;
    for (let b = first; b < first + BUCKETS_PER_GROUP; b++) version = Math.max(version, this.#bucketVersions.get(b) ?? 0);
    const cached = this.#groupTallies.get(g);
    if (cached !== undefined && cached.version === version) return cached.tally;
    const parts: RangeTally[] = [];
    for (let b = first; b < first + BUCKETS_PER_GROUP; b++) parts.push(this.#bucketTally(b));
    const tally = mergeTallies(parts);
    this.#groupTallies.set(g, { version, tally });
    return tally;
  }

  #bucketTally(b: number): RangeTally {
    const version = this.#bucketVersions.get(b) ?? 0;
    const cached = this.#tallies.get(b);
    if (cached !== undefined && cached.version === version) return cached.tally;
    const tally = this.#tally(b * TALLY_BUCKET_US, (b + 1) * TALLY_BUCKET_US);
    this.#tallies.set(b, { version, tally });
    this.#staleBuckets.delete(b);
    return tally;
  }

  #tally(fromUs: number, toUs: number): RangeTally {
    const from = Math.max(fromUs, this.#cutoffUs);
    return tallyRange({ fromUs, toUs, coveredUs: this.coveredUs(fromUs, toUs) },
      this.inbound, lowerBound(this.inbound, from), Math.max(lowerBound(this.inbound, from), lowerBound(this.inbound, toUs)),
      this.roots, lowerBound(this.roots, from), Math.max(lowerBound(this.roots, from), lowerBound(this.roots, toUs)));
  }

  /** Drops everything that started before `cutoffUs`; returns how many observations went. */
  prune(cutoffUs: number): number {
    if (cutoffUs <= this.#cutoffUs) return 0;
    this.#sort();
    const i0 = this.#live(this.inbound);
    const i = lowerBound(this.inbound, cutoffUs);
    const r0 = this.#live(this.roots);
    const r = lowerBound(this.roots, cutoffUs);
    // A pruned root's claim needs no undoing: its window started no later than it did, so it is
    // pruned too, and pruned windows are never candidates again.
    this.#cutoffUs = cutoffUs;
    // Remove the dead prefix in bulk, once it is a quarter of the array: amortized O(1) per element.
    if (i * 4 >= this.inbound.length) {
      this.inbound.splice(0, i);
      this.#inboundSortedTo -= i;
    }
    if (r * 4 >= this.roots.length) {
      this.roots.splice(0, r);
      this.#rootsSortedTo -= r;
    }
    if (r > r0) this.#fresh = this.#fresh.filter((f) => f.startUs >= cutoffUs);
    const cutoffBucket = bucketOf(cutoffUs);
    for (const b of this.#tallies.keys()) if (b < cutoffBucket) this.#tallies.delete(b);
    for (const g of this.#groupTallies.keys()) if ((g + 1) * BUCKETS_PER_GROUP <= cutoffBucket) this.#groupTallies.delete(g);
    for (const b of this.#bucketVersions.keys()) if (b < cutoffBucket) this.#bucketVersions.delete(b);
    for (const b of this.#staleBuckets) if (b < cutoffBucket) this.#staleBuckets.delete(b);
    const dropped = (i - i0) + (r - r0);
    // Dropped windows no longer cover the buckets they reached into.
    if (dropped > 0) this.#touch(cutoffUs, cutoffUs + this.#longestUs + this.#graceUs);
    return dropped;
  }

  get empty(): boolean {
    return this.#live(this.inbound) === this.inbound.length && this.#live(this.roots) === this.roots.length;
  }
}
