/**
 * One damped step of adaptive sampling for one workload: move the percentage towards the one at
 * which about `targetTracesPerSecond` sampled traces start there.
 *
 * Damping, so it never oscillates:
 * - a dead band: within ±30% of the target nothing changes (Jaeger's DeltaTolerance);
 * - increases are capped at +50% per step, decreases apply at once (Jaeger's
 *   PercentageIncreaseCappedCalculator): overshooting costs storage, undershooting only detail;
 * - a hold time after every change, at least one measurement window, so the next step sees rates
 *   measured entirely at the new percentage instead of a blend that would make it overreact.
 */
import { roundPercentage } from './policy.js';

export interface AdaptiveTarget {
  readonly targetTracesPerSecond: number;
  readonly minPercentage: number;
  readonly maxPercentage: number;
}

export interface AdaptiveTuning {
  /** Relative distance from the target that is left alone. Default 0.3. */
  readonly deadBand: number;
  /** Largest factor one step may raise the percentage by. Default 1.5. */
  readonly maxIncreaseFactor: number;
  /** Time after a change before the next one, ms; use at least the measurement window. */
  readonly holdMs: number;
}

export const DEFAULT_TUNING: AdaptiveTuning = { deadBand: 0.3, maxIncreaseFactor: 1.5, holdMs: 5 * 60_000 };

export interface AdaptiveState {
  readonly percentage: number;
  /** Epoch ms of the last change; undefined when never changed. */
  readonly lastChangeMs: number | undefined;
}

export interface AdaptiveStep {
  readonly percentage: number;
  readonly changed: boolean;
  readonly reason: 'no-measurement' | 'holding' | 'within-dead-band' | 'raised' | 'lowered' | 'at-limit';
}

/** Istio's smallest non-zero step; a workload at 0% could never be raised multiplicatively. */
const FLOOR = 0.01;

function clamp(p: number, t: AdaptiveTarget): number {
  return roundPercentage(Math.min(t.maxPercentage, Math.max(t.minPercentage, p)));
}

/**
 * `observedTracesPerSecond` is the rate of *sampled* traces the workload started during a window
 * in which `state.percentage` was in effect (what meshtrace receives).
 */
export function adaptiveStep(target: AdaptiveTarget, state: AdaptiveState, observedTracesPerSecond: number | undefined,
  nowMs: number, tuning: AdaptiveTuning = DEFAULT_TUNING): AdaptiveStep {
  const current = state.percentage;
  if (observedTracesPerSecond === undefined || !Number.isFinite(observedTracesPerSecond)) {
    return { percentage: clamp(current, target), changed: clamp(current, target) !== current, reason: 'no-measurement' };
  }
  if (state.lastChangeMs !== undefined && nowMs - state.lastChangeMs < tuning.holdMs) return { percentage: current, changed: false, reason: 'holding' };
  const ratio = observedTracesPerSecond / target.targetTracesPerSecond;
  if (Math.abs(ratio - 1) <= tuning.deadBand) return { percentage: current, changed: false, reason: 'within-dead-band' };
  const base = Math.max(current, FLOOR);
  const wanted = observedTracesPerSecond <= 0 ? base * tuning.maxIncreaseFactor : base / ratio;
  const stepped = wanted > current ? Math.min(wanted, base * tuning.maxIncreaseFactor) : wanted;
  const next = clamp(stepped, target);
  if (next === current) return { percentage: current, changed: false, reason: 'at-limit' };
  return { percentage: next, changed: true, reason: next > current ? 'raised' : 'lowered' };
}
