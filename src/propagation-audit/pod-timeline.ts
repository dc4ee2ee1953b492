/**
 * One sidecar's inbound request windows and root calls, each kept sorted by start time. Both
 * sides of a gap come from the same Envoy, so they share a clock: clock skew between pods never
 * enters the comparison.
 */
import type { InboundObservation, OutboundObservation, WorkloadKey } from './observations.js';
import { mergeTallies, tallyRange } from './range-tally.js';
import type { RangeTally } from './range-tally.js';
import { resolveRoot } from './resolve.js';
import type { CallTiming, CandidateWindows } from './resolve.js';
import { RootColumns } from './root-columns.js';
import type { RootRecord } from './root-columns.js';
import { WindowColumns } from './window-columns.js';

export type { RootRecord } from './root-columns.js';

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

/**
 * The windows open when one root call started, read straight from the columns: a busy pod has
 * dozens open at once, and making each an object (ids as strings) for every root cost more than
 * resolving it. Reused from root to root.
 */
class OpenWindows implements CandidateWindows {
  readonly #windows: WindowColumns;
  readonly #roots: RootColumns;
  readonly #indices: number[] = [];
  length = 0;
  #root = 0;
  #rootSeq = 0;
  #hasRequestId = false;
  #claimed: Map<number, number> | undefined;

  constructor(windows: WindowColumns, roots: RootColumns) {
    this.#windows = windows;
    this.#roots = roots;
  }

  /** Starts a new candidate list for root `root`, with the claims on windows for its callee. */
  reset(root: number, claimed: Map<number, number> | undefined): void {
    this.length = 0;
    this.#root = root;
    this.#rootSeq = this.#roots.seq(root);
    this.#hasRequestId = this.#roots.requestIds.has(root);
    this.#claimed = claimed;
  }

  add(window: number): void {
    this.#indices[this.length++] = window;
  }

  /** The window index of candidate `k`. */
  index(k: number): number {
    return this.#indices[k]!;
  }

  startUs(k: number): number {
    return this.#windows.startUs(this.#indices[k]!);
  }

  endUs(k: number): number {
    return this.#windows.endUs(this.#indices[k]!);
  }

  inCallTrace(k: number): boolean {
    return this.#windows.traceIds.sameAs(this.#indices[k]!, this.#roots.traceIds, this.#root);
  }

  sameRequest(k: number): boolean {
    return this.#hasRequestId && this.#windows.requestIds.sameAs(this.#indices[k]!, this.#roots.requestIds, this.#root);
  }

  claimedByOther(k: number): boolean {
    const by = this.#claimed?.get(this.#windows.seq(this.#indices[k]!));
    return by !== undefined && by !== this.#rootSeq;
  }
}

export class PodTimeline {
  readonly pod: string;
  /** Inbound request windows, by start once sorted (see `#sort`). */
  readonly #inbound = new WindowColumns();
  /** Root calls, by start once sorted, with what each was resolved to. */
  readonly #roots = new RootColumns();
  /**
   * Which root (`seq`) claimed a window (`seq`), per callee: a request usually calls a given
   * service once, so a window already explaining one root to that callee is a worse candidate.
   */
  readonly #claims = new Map<string, Map<number, number>>();
  readonly #open: OpenWindows;
  #longestUs = 0;
  /**
   * Where windows added since roots were last resolved can be candidates: from their earliest
   * start to their latest start + length + grace. Roots outside it keep their answer (a changed
   * claim could in principle ripple further; re-resolving everything after it cost a full pass
   * over the retention whenever a late trace arrived).
   */
  #dirtyFromUs = Number.POSITIVE_INFINITY;
  #dirtyToUs = Number.NEGATIVE_INFINITY;
  /** Where roots added since the last resolution start, wherever they fall (they are the unresolved ones). */
  #freshFromUs = Number.POSITIVE_INFINITY;
  #freshToUs = Number.NEGATIVE_INFINITY;
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
    this.#open = new OpenWindows(this.#inbound, this.#roots);
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
    this.#inboundSortedTo = this.#inbound.sortFrom(this.#inboundSortedTo);
    this.#rootsSortedTo = this.#roots.sortFrom(this.#rootsSortedTo);
  }

  /** Adds a request window; false (and nothing added) when it started before the pruning cutoff. */
  addInbound(o: InboundObservation): boolean {
    if (o.startUs < this.#cutoffUs) return false;
    this.#inbound.push(o);
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
  addRoot(call: OutboundObservation): boolean {
    if (call.startUs < this.#cutoffUs) return false;
    this.#roots.push(call);
    if (call.startUs < this.#freshFromUs) this.#freshFromUs = call.startUs;
    if (call.startUs > this.#freshToUs) this.#freshToUs = call.startUs;
    this.#touch(call.startUs, call.startUs);
    return true;
  }

  /** Index of the first live (unpruned) root. */
  #liveRoots(): number {
    return this.#roots.lowerBound(this.#cutoffUs);
  }

  /** Index of the first live (unpruned) inbound window. */
  #liveInbound(): number {
    return this.#inbound.lowerBound(this.#cutoffUs);
  }

  /** Inbound windows open at `t` (or closed less than `graceUs` before it), latest start first. */
  windowsAt(t: number, graceUs: number): InboundObservation[] {
    this.#sort();
    const w = this.#inbound;
    const out: InboundObservation[] = [];
    const earliest = Math.max(t - this.#longestUs - graceUs, this.#cutoffUs);
    for (let i = w.upperBound(t) - 1; i >= 0; i--) {
      if (w.startUs(i) < earliest) break;
      if (w.endUs(i) + graceUs >= t) out.push(w.at(i, this.pod));
    }
    return out;
  }

  /**
   * Resolves every root whose answer may have changed since the last call (new roots, or new
   * windows over them) against the windows open when it started, in time order, making their
   * claims again as it goes.
   */
  resolvePending(timingOf: (workload: WorkloadKey) => CallTiming, graceUs: number): void {
    this.#sort();
    const roots = this.#roots;
    const dirtyFrom = this.#dirtyFromUs;
    const dirtyTo = this.#dirtyToUs;
    const from = roots.lowerBound(Math.max(Math.min(dirtyFrom, this.#freshFromUs), this.#cutoffUs));
    const to = roots.upperBound(Math.max(dirtyTo, this.#freshToUs));
    const picked: number[] = [];
    for (let i = from; i < to; i++) {
      const s = roots.startUs(i);
      if ((s >= dirtyFrom && s <= dirtyTo) || !roots.resolved(i)) picked.push(i);
    }
    this.#freshFromUs = this.#dirtyFromUs = Number.POSITIVE_INFINITY;
    this.#freshToUs = this.#dirtyToUs = Number.NEGATIVE_INFINITY;
    for (const i of picked) {
      this.#touch(roots.startUs(i), roots.startUs(i));
      this.#dropClaim(i);
    }
    for (const i of picked) this.#resolve(i, timingOf(roots.workload(i)), graceUs);
  }

  /** Resolves the `i`-th root and records the window it claims. */
  #resolve(i: number, timing: CallTiming, graceUs: number): void {
    const roots = this.#roots;
    const windows = this.#inbound;
    const open = this.#open;
    const startUs = roots.startUs(i);
    const callee = roots.callee(i);
    open.reset(i, this.#claims.get(callee));
    const earliest = Math.max(startUs - this.#longestUs - graceUs, this.#cutoffUs);
    for (let k = windows.upperBound(startUs) - 1; k >= 0; k--) {
      if (windows.startUs(k) < earliest) break;
      if (windows.endUs(k) + graceUs >= startUs) open.add(k);
    }
    const choice = resolveRoot({ startUs, endUs: roots.endUs(i) }, open, timing);
    const w = choice.window === -1 ? -1 : open.index(choice.window);
    roots.setResolution(i, { kind: choice.kind, parent: w === -1 ? undefined : windows.ref(w), choiceProbability: choice.choiceProbability }, w === -1 ? -1 : windows.seq(w));
    if (choice.kind === 'inferred' && w !== -1) {
      let claimed = this.#claims.get(callee);
      if (claimed === undefined) this.#claims.set(callee, claimed = new Map<number, number>());
      if (!claimed.has(windows.seq(w))) claimed.set(windows.seq(w), roots.seq(i));
    }
  }

  /** Removes the claim the `i`-th root holds, if any. */
  #dropClaim(i: number): void {
    // Only inferred roots claim windows.
    if (this.#claims.size === 0 || this.#roots.kind(i) !== 'inferred') return;
    const callee = this.#roots.callee(i);
    const claimed = this.#claims.get(callee);
    const window = this.#roots.parentWindow(i);
    if (claimed?.get(window) !== this.#roots.seq(i)) return;
    claimed.delete(window);
    if (claimed.size === 0) this.#claims.delete(callee);
  }

  /** Windows claimed by some root, over all callees. */
  get claimCount(): number {
    let n = 0;
    for (const claimed of this.#claims.values()) n += claimed.size;
    return n;
  }

  /** Inbound windows starting in [fromUs, toUs). */
  inboundBetween(fromUs: number, toUs: number): InboundObservation[] {
    this.#sort();
    const from = Math.max(fromUs, this.#cutoffUs);
    if (from >= toUs) return [];
    const w = this.#inbound;
    const out: InboundObservation[] = [];
    for (let i = w.lowerBound(from), end = w.lowerBound(toUs); i < end; i++) out.push(w.at(i, this.pod));
    return out;
  }

  rootsBetween(fromUs: number, toUs: number): RootRecord[] {
    this.#sort();
    const from = Math.max(fromUs, this.#cutoffUs);
    if (from >= toUs) return [];
    const r = this.#roots;
    const out: RootRecord[] = [];
    for (let i = r.lowerBound(from), end = r.lowerBound(toUs); i < end; i++) out.push(r.at(i, this.pod));
    return out;
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
    const w = this.#inbound;
    const last = w.lowerBound(toUs);
    // A window reaches `graceUs` past its end, so one that started up to longest + grace earlier still counts.
    for (let i = w.lowerBound(Math.max(fromUs - this.#longestUs - graceUs, this.#cutoffUs)); i < last; i++) {
      const s = Math.max(w.startUs(i), fromUs);
      const e = Math.min(w.endUs(i) + graceUs, toUs);
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
    const w = this.#inbound;
    const firstInbound = this.#liveInbound();
    const r = this.#roots;
    const firstRoot = this.#liveRoots();
    const firstStart = Math.min(firstInbound < w.length ? w.startUs(firstInbound) : Infinity, firstRoot < r.length ? r.startUs(firstRoot) : Infinity);
    const lastStart = Math.max(w.length > 0 ? w.startUs(w.length - 1) : -Infinity, r.length > 0 ? r.startUs(r.length - 1) : -Infinity);
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
    const w = this.#inbound;
    const r = this.#roots;
    return tallyRange({ fromUs, toUs, coveredUs: this.coveredUs(fromUs, toUs) },
      { windows: w, pod: this.pod, from: w.lowerBound(from), to: Math.max(w.lowerBound(from), w.lowerBound(toUs)) },
      { roots: r, pod: this.pod, from: r.lowerBound(from), to: Math.max(r.lowerBound(from), r.lowerBound(toUs)) });
  }

  /** Drops everything that started before `cutoffUs`; returns how many observations went. */
  prune(cutoffUs: number): number {
    if (cutoffUs <= this.#cutoffUs) return 0;
    this.#sort();
    const i0 = this.#liveInbound();
    const i = this.#inbound.lowerBound(cutoffUs);
    const r0 = this.#liveRoots();
    const r = this.#roots.lowerBound(cutoffUs);
    for (let k = r0; k < r; k++) this.#dropClaim(k);
    this.#cutoffUs = cutoffUs;
    // Remove the dead prefix in bulk, once it is a quarter of the array: amortized O(1) per element.
    if (i * 4 >= this.#inbound.length) {
      this.#inbound.dropFront(i);
      this.#inboundSortedTo -= i;
    }
    if (r * 4 >= this.#roots.length) {
      this.#roots.dropFront(r);
      this.#rootsSortedTo -= r;
    }
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
    return this.#liveInbound() === this.#inbound.length && this.#liveRoots() === this.#roots.length;
  }
}
