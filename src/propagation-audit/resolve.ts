/**
 * Which inbound request a root call came from. A matching `x-request-id` is proof (the app
 * forwarded it but not the trace headers); otherwise the call is weighed against every request
 * the same pod was serving when it started (ENVOY-ISTIO.md §4.3, signals 1 and 2).
 */
import { addClaim, claimOf } from './observations.js';
import type { InboundObservation, OutboundObservation, RootCall } from './observations.js';

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
  readonly parent: InboundObservation | undefined;
  /**
   * Probability that `parent` is right if the parent was recorded at all; the audit scales it
   * by how often this pod's parents are recorded (sampling) before reporting a confidence.
   */
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
 * Likelihood that `c` made `call`: calls tend to start soon after their request does, and
 * requests tend to answer soon after their calls return, so both distances count.
 */
function weight(call: OutboundObservation, c: InboundObservation, timing: CallTiming): number {
  const delay = Math.max(0, call.startUs - c.startUs);
  let w = Math.exp(-delay / timing.meanDelayUs);
  if (call.startUs > c.endUs + NESTING_SLACK_US) w *= AFTER_END_WEIGHT;
  else if (call.endUs > c.endUs + NESTING_SLACK_US) w *= OUTLIVES_PARENT_WEIGHT;
  else w *= Math.exp(-Math.max(0, c.endUs - call.endUs) / timing.meanTailUs);
  // Never zero: a far candidate is unlikely, not impossible.
  return Math.max(w, 1e-12);
}

/**
 * Resolves a root call against the windows open when it started. `meanDelayUs` is how long this
 * workload usually takes from receiving a request to calling out (learned from its parented calls).
 */
export function resolveRoot(call: OutboundObservation, windows: readonly InboundObservation[], timing: CallTiming): RootResolution {
  const candidates = windows.filter((w) => w.traceId !== call.traceId);
  if (call.requestId !== undefined) {
    const sameRequest = candidates.filter((w) => w.requestId === call.requestId);
    if (sameRequest.length > 0) {
      return { kind: 'confirmed', parent: sameRequest[0], choiceProbability: 1 / sameRequest.length };
    }
  }
  if (candidates.length === 0) return { kind: 'unattributed', parent: undefined, choiceProbability: 0 };
  let best = candidates[0]!;
  let bestWeight = 0;
  let total = 0;
  for (const c of candidates) {
    const claimed = claimOf(c, call.callee);
    const w = weight(call, c, timing) * (claimed !== undefined && claimed !== call ? CLAIMED_WEIGHT : 1);
    total += w;
    if (w > bestWeight) {
      bestWeight = w;
      best = c;
    }
  }
  return { kind: 'inferred', parent: best, choiceProbability: bestWeight / total };
}

/**
 * Resolves a held root call and records the window it claims. Its previous claim, if any, must
 * have been dropped (`dropClaim`): claims are made again in time order.
 */
export function resolveAndClaim(r: RootCall, windows: readonly InboundObservation[], timing: CallTiming): void {
  const res = resolveRoot(r, windows, timing);
  r.resolvedAs = res.kind;
  r.parent = res.parent;
  r.choiceProbability = res.choiceProbability;
  if (res.parent !== undefined && res.kind === 'inferred') addClaim(res.parent, r);
}
