/**
 * Which inbound request a root call came from. A matching `x-request-id` is proof (the app
 * forwarded it but not the trace headers); otherwise the call is weighed against every request
 * the same pod was serving when it started (ENVOY-ISTIO.md §4.3, signals 1 and 2).
 */
/** When a root call ran. */
export interface RootCallTimes {
  readonly startUs: number;
  readonly endUs: number;
}

/** The request a root call was attributed to. */
export interface WindowRef {
  readonly traceId: string;
  readonly spanId: string;
}

/**
 * The request windows open when a root call started, as the resolver reads them. An accessor
 * rather than objects: the windows are held in columns, and a busy pod has dozens open at once.
 */
export interface CandidateWindows {
  readonly length: number;
  startUs(k: number): number;
  endUs(k: number): number;
  /** The window belongs to the call's own trace, so it cannot be the request that lost it. */
  inCallTrace(k: number): boolean;
  /** The window's request has the call's `x-request-id` (false when the call has none). */
  sameRequest(k: number): boolean;
  /** Another root call to the same service already claimed the window. */
  claimedByOther(k: number): boolean;
}

/** How this workload's calls sit inside the requests that make them (learned from parented calls). */
export interface CallTiming {
  /** Mean µs from a request's start to a call. */
  readonly meanDelayUs: number;
  /** Mean µs from a call's end to its request's end. */
  readonly meanTailUs: number;
}

export type RootClass =
  /** Same `x-request-id` as a request the pod was serving: the app dropped only the trace headers. */
  | 'confirmed'
  /** Started while the pod was serving requests: one of them is the parent. */
  | 'inferred'
  /** No request of this pod was seen around it (its parent was likely not sampled). */
  | 'unattributed';

export interface RootResolution {
  readonly kind: RootClass;
  /** The most likely parent request, when there is a candidate. */
  readonly parent: WindowRef | undefined;
  /**
   * Probability that `parent` is right if the parent was recorded at all; the audit scales it
   * by how often this pod's parents are recorded (sampling) before reporting a confidence.
   */
  readonly choiceProbability: number;
}

/** What `resolveRoot` picked: the class and the index of the likeliest window among the candidates. */
export interface RootChoice {
  readonly kind: RootClass;
  /** Index in the candidates, or -1 when there is none. */
  readonly window: number;
  readonly choiceProbability: number;
}

/** Weight of a candidate that had already answered when the call started (async follow-up). */
const AFTER_END_WEIGHT = 0.05;
/** Weight of a candidate that answered before the call it supposedly made finished. */
const OUTLIVES_PARENT_WEIGHT = 0.2;
/** Weight of a window that already explains another root call to the same service. */
const CLAIMED_WEIGHT = 0.1;
/** Envoy timestamps are µs; spans of one sidecar can be a little out of nesting. */
const NESTING_SLACK_US = 1000;

/**
 * Likelihood that window `k` made `call`: calls tend to start soon after their request does, and
 * requests tend to answer soon after their calls return, so both distances count.
 */
function weight(call: RootCallTimes, c: CandidateWindows, k: number, timing: CallTiming): number {
  const startUs = c.startUs(k);
  const endUs = c.endUs(k);
  const delay = Math.max(0, call.startUs - startUs);
  let w = Math.exp(-delay / timing.meanDelayUs);
  if (call.startUs > endUs + NESTING_SLACK_US) w *= AFTER_END_WEIGHT;
  else if (call.endUs > endUs + NESTING_SLACK_US) w *= OUTLIVES_PARENT_WEIGHT;
  else w *= Math.exp(-Math.max(0, endUs - call.endUs) / timing.meanTailUs);
  // Never zero: a far candidate is unlikely, not impossible.
  return Math.max(w, 1e-12);
}

/**
 * Resolves a root call against the windows open when it started (latest start first).
 * `timing` is how this workload's calls usually sit in its requests (learned from its parented calls).
 */
export function resolveRoot(call: RootCallTimes, windows: CandidateWindows, timing: CallTiming): RootChoice {
  let firstSameRequest = -1;
  let sameRequests = 0;
  let candidates = 0;
  for (let k = 0; k < windows.length; k++) {
    if (windows.inCallTrace(k)) continue;
    candidates++;
    if (windows.sameRequest(k) && sameRequests++ === 0) firstSameRequest = k;
  }
  if (sameRequests > 0) return { kind: 'confirmed', window: firstSameRequest, choiceProbability: 1 / sameRequests };
  if (candidates === 0) return { kind: 'unattributed', window: -1, choiceProbability: 0 };
  let best = -1;
  let bestWeight = 0;
  let total = 0;
  for (let k = 0; k < windows.length; k++) {
    if (windows.inCallTrace(k)) continue;
    if (best === -1) best = k;
    const w = weight(call, windows, k, timing) * (windows.claimedByOther(k) ? CLAIMED_WEIGHT : 1);
    total += w;
    if (w > bestWeight) {
      bestWeight = w;
      best = k;
    }
  }
  return { kind: 'inferred', window: best, choiceProbability: bestWeight / total };
}
