/**
 * Partial sums of one pod's observations over a time range. A report over an hour adds these up
 * instead of rescanning millions of observations on every request: pod timelines cache them per
 * bucket and recompute a bucket only when its observations or their resolutions change, which on
 * a live mesh is the newest few buckets.
 *
 * Everything here is additive over adjacent ranges (counts, minima, maxima, the covered time of
 * a union of intervals) or keeps enough examples that picking them from the parts in time order
 * picks the same ones as a scan of the whole range.
 */
import type { InboundObservation, WorkloadKey } from './observations.js';
import type { RootCall } from './observations.js';

/** Examples a workload's report shows. */
export const MAX_EVIDENCE = 5;

export interface CalleeTally {
  calls: number;
  confirmed: number;
  inferred: number;
  unattributed: number;
  first: number;
  last: number;
}

export function newCalleeTally(): CalleeTally {
  return { calls: 0, confirmed: 0, inferred: 0, unattributed: 0, first: Number.POSITIVE_INFINITY, last: 0 };
}

/** One workload's observations in one pod and range. */
export interface WorkloadSlice {
  inbound: number;
  firstInboundUs: number;
  /** Requests that made no call. */
  deadEnds: number;
  /** The first dead ends, in time order. */
  readonly deadEndExamples: InboundObservation[];
  roots: number;
  /** Root calls without a matching request id, and those of them that found a candidate request. */
  nonConfirmed: number;
  withCandidates: number;
  /** Root calls per callee. */
  readonly byCallee: Map<string, CalleeTally>;
  /**
   * `choiceProbability` of each inferred root, ascending, and the running sums of those values:
   * their confidences depend on the whole window, and these make a window's sum cheap.
   */
  inferredChoices: Float64Array;
  inferredPrefix: Float64Array;
  /** The first roots and the first confirmed ones, in time order: all that evidence can pick from. */
  readonly evidence: RootCall[];
}

export interface RangeTally {
  readonly fromUs: number;
  readonly toUs: number;
  /** Time in the range covered by at least one inbound window (each extended by the async grace). */
  readonly coveredUs: number;
  readonly byWorkload: Map<WorkloadKey, WorkloadSlice>;
}

const NONE = new Float64Array(0);
const ZERO = new Float64Array(1);

function newSlice(): WorkloadSlice {
  return {
    inbound: 0, firstInboundUs: Number.POSITIVE_INFINITY, deadEnds: 0, deadEndExamples: [],
    roots: 0, nonConfirmed: 0, withCandidates: 0, byCallee: new Map(), inferredChoices: NONE, inferredPrefix: ZERO, evidence: [],
  };
}

function sliceOf(byWorkload: Map<WorkloadKey, WorkloadSlice>, key: WorkloadKey): WorkloadSlice {
  let s = byWorkload.get(key);
  if (s === undefined) byWorkload.set(key, s = newSlice());
  return s;
}

/**
 * Tallies `inbound[inFrom..inTo)` and `roots[rootFrom..rootTo)` (sorted by start, every root
 * resolved). `coveredUs` is measured by the caller, which knows the windows around the range.
 */
export function tallyRange(
  range: { readonly fromUs: number; readonly toUs: number; readonly coveredUs: number },
  inbound: readonly InboundObservation[], inFrom: number, inTo: number,
  roots: readonly RootCall[], rootFrom: number, rootTo: number,
): RangeTally {
  const byWorkload = new Map<WorkloadKey, WorkloadSlice>();
  for (let i = inFrom; i < inTo; i++) {
    const o = inbound[i]!;
    const s = sliceOf(byWorkload, o.workload);
    if (s.inbound++ === 0) s.firstInboundUs = o.startUs;
    if (o.outboundChildren === 0 && s.deadEnds++ < MAX_EVIDENCE) s.deadEndExamples.push(o);
  }
  const confirmedKept = new Map<WorkloadSlice, number>();
  const choices = new Map<WorkloadSlice, number[]>();
  for (let i = rootFrom; i < rootTo; i++) {
    const r = roots[i]!;
    const kind = r.resolvedAs!;
    const s = sliceOf(byWorkload, r.workload);
    let t = s.byCallee.get(r.callee);
    if (t === undefined) s.byCallee.set(r.callee, t = newCalleeTally());
    t.calls++;
    t[kind]++;
    if (r.startUs < t.first) t.first = r.startUs;
    if (r.endUs > t.last) t.last = r.endUs;
    if (kind !== 'confirmed') s.nonConfirmed++;
    if (kind === 'inferred') {
      s.withCandidates++;
      const list = choices.get(s);
      if (list === undefined) choices.set(s, [r.choiceProbability]);
      else list.push(r.choiceProbability);
    }
    const kept = confirmedKept.get(s) ?? 0;
    const keepConfirmed = kind === 'confirmed' && kept < MAX_EVIDENCE;
    if (keepConfirmed) confirmedKept.set(s, kept + 1);
    if (s.roots++ < MAX_EVIDENCE || keepConfirmed) s.evidence.push(r);
  }
  for (const [s, list] of choices) {
    s.inferredChoices = Float64Array.from(list).sort();
    s.inferredPrefix = prefixOf(s.inferredChoices);
  }
  return { fromUs: range.fromUs, toUs: range.toUs, coveredUs: range.coveredUs, byWorkload };
}

/** Adds per-callee root tallies of a later range into `into`. */
export function addCallees(into: Map<string, CalleeTally>, later: ReadonlyMap<string, CalleeTally>): void {
  for (const [callee, t] of later) {
    let sum = into.get(callee);
    if (sum === undefined) into.set(callee, sum = newCalleeTally());
    sum.calls += t.calls;
    sum.confirmed += t.confirmed;
    sum.inferred += t.inferred;
    sum.unattributed += t.unattributed;
    sum.first = Math.min(sum.first, t.first);
    sum.last = Math.max(sum.last, t.last);
  }
}

/**
 * Appends the later candidates that can still become evidence: while fewer than MAX_EVIDENCE are
 * kept, any root; after that, only the first MAX_EVIDENCE confirmed ones (report.ts's addEvidence
 * prefers them). `confirmedSeen` counts confirmed candidates so far; returns the new count.
 */
export function keepEvidence(kept: RootCall[], later: readonly RootCall[], confirmedSeen: number): number {
  let seen = confirmedSeen;
  for (const r of later) {
    const confirmed = r.resolvedAs === 'confirmed';
    if (kept.length < MAX_EVIDENCE || (confirmed && seen < MAX_EVIDENCE)) kept.push(r);
    if (confirmed) seen++;
  }
  return seen;
}

function mergeSorted(a: Float64Array, b: Float64Array): Float64Array {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out = new Float64Array(a.length + b.length);
  let i = 0;
  let j = 0;
  for (let k = 0; k < out.length; k++) out[k] = j >= b.length || (i < a.length && a[i]! <= b[j]!) ? a[i++]! : b[j++]!;
  return out;
}

function prefixOf(sorted: Float64Array): Float64Array {
  const prefix = new Float64Array(sorted.length + 1);
  for (let i = 0; i < sorted.length; i++) prefix[i + 1] = prefix[i]! + sorted[i]!;
  return prefix;
}

/** Adds `later` (a slice of the next range) into `into`, keeping only examples that can still be picked. */
function mergeSlice(into: WorkloadSlice, later: WorkloadSlice, confirmedSeen: Map<WorkloadSlice, number>): void {
  if (into.inbound === 0) into.firstInboundUs = later.firstInboundUs;
  into.inbound += later.inbound;
  into.deadEnds += later.deadEnds;
  for (const o of later.deadEndExamples) if (into.deadEndExamples.length < MAX_EVIDENCE) into.deadEndExamples.push(o);
  into.roots += later.roots;
  into.nonConfirmed += later.nonConfirmed;
  into.withCandidates += later.withCandidates;
  addCallees(into.byCallee, later.byCallee);
  if (later.inferredChoices.length > 0) {
    into.inferredChoices = mergeSorted(into.inferredChoices, later.inferredChoices);
    into.inferredPrefix = prefixOf(into.inferredChoices);
  }
  // The merged range's first roots and first confirmed roots are among the parts' own.
  confirmedSeen.set(into, keepEvidence(into.evidence, later.evidence, confirmedSeen.get(into) ?? 0));
}

/** One tally for adjacent ranges given in time order, as `tallyRange` would give for their union. */
export function mergeTallies(parts: readonly RangeTally[]): RangeTally {
  const byWorkload = new Map<WorkloadKey, WorkloadSlice>();
  const confirmedSeen = new Map<WorkloadSlice, number>();
  let coveredUs = 0;
  for (const part of parts) {
    coveredUs += part.coveredUs;
    for (const [key, slice] of part.byWorkload) mergeSlice(sliceOf(byWorkload, key), slice, confirmedSeen);
  }
  return { fromUs: parts[0]!.fromUs, toUs: parts.at(-1)!.toUs, coveredUs, byWorkload };
}
