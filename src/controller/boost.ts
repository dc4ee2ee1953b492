/**
 * When a boost runs and what follows it. A boost starts at `spec.boost.startTime` when given
 * (kubectl-meshtrace sets it, so re-boosting with the same values restarts the clock), else when
 * the controller first sees this generation of the policy; the start is kept in status so a
 * controller restart does not extend it.
 */
import { PREVIOUS_SPEC_ANNOTATION } from './policy.js';
import type { BoostStatus, Mode, SamplingPolicy, SamplingPolicySpec } from './policy.js';

export interface BoostWindow {
  readonly startedAt: number;
  readonly expiresAt: number;
  readonly expired: boolean;
}

type BoostMode = Extract<Mode, { kind: 'boost' }>;

export function boostWindow(mode: BoostMode, policy: SamplingPolicy, nowMs: number): BoostWindow {
  const status = policy.status;
  const sameGeneration = status?.observedGeneration !== undefined && status.observedGeneration === policy.metadata.generation;
  const remembered = sameGeneration && status?.boost !== undefined ? Date.parse(status.boost.startedAt) : NaN;
  const startedAt = mode.startTime ?? (Number.isNaN(remembered) ? nowMs : remembered);
  const expiresAt = startedAt + mode.durationMs;
  return { startedAt, expiresAt, expired: nowMs >= expiresAt };
}

export function boostStatus(w: BoostWindow): BoostStatus {
  return { startedAt: new Date(w.startedAt).toISOString(), expiresAt: new Date(w.expiresAt).toISOString(), expired: w.expired };
}

/**
 * The spec to return to after the boost, saved by `kubectl meshtrace boost` on a policy that
 * existed before; undefined when there is none (the policy then just stops writing Telemetry, and
 * whatever applied before it applies again) or when the saved spec is unreadable or a boost itself.
 */
export function previousSpec(policy: SamplingPolicy): { spec?: SamplingPolicySpec; problem?: string } {
  const raw = policy.metadata.annotations?.[PREVIOUS_SPEC_ANNOTATION];
  if (raw === undefined) return {};
  try {
    const spec = JSON.parse(raw) as SamplingPolicySpec;
    if (typeof spec !== 'object' || spec === null || spec.boost !== undefined) return { problem: `${PREVIOUS_SPEC_ANNOTATION} does not hold a non-boost spec` };
    return { spec };
  } catch (err) {
    return { problem: `${PREVIOUS_SPEC_ANNOTATION} is not JSON: ${(err as Error).message}` };
  }
}
