/**
 * Status conditions the Kubernetes way: lastTransitionTime moves only when a condition's status
 * changes, so `kubectl get -w` and alerts see transitions, not every resync.
 */
import type { Condition, ConditionType, SamplingPolicyStatus } from './policy.js';

export interface ConditionInput {
  readonly type: ConditionType;
  readonly status: boolean;
  readonly reason: string;
  readonly message: string;
}

export const CONDITION_ORDER: readonly ConditionType[] = ['Ready', 'Applied', 'Effective', 'Conflict', 'Ineffective'];

export function mergeConditions(previous: readonly Condition[] | undefined, next: readonly ConditionInput[], generation: number | undefined, nowIso: string): Condition[] {
  return CONDITION_ORDER.flatMap((type) => {
    const c = next.find((n) => n.type === type);
    if (c === undefined) return [];
    const status = c.status ? 'True' as const : 'False' as const;
    const before = previous?.find((p) => p.type === type);
    return [{
      type, status, reason: c.reason, message: c.message,
      ...(generation !== undefined ? { observedGeneration: generation } : {}),
      lastTransitionTime: before?.status === status ? before.lastTransitionTime : nowIso,
    }];
  });
}

export function conditionOf(status: SamplingPolicyStatus | undefined, type: ConditionType): Condition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

export interface PolicyEvent {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}

const telemetrySummary = (s: SamplingPolicyStatus | undefined): string =>
  (s?.telemetries ?? []).map((t) => `${t.namespace}/${t.name}=${t.percentage}%`).sort().join(', ');

function appliedEvent(before: SamplingPolicyStatus | undefined, after: SamplingPolicyStatus): PolicyEvent[] {
  const wrote = telemetrySummary(after);
  if (wrote === telemetrySummary(before)) return [];
  return [{ type: 'Normal', reason: 'Applied', message: wrote === '' ? 'no Telemetry written' : `Telemetry ${wrote}` }];
}

/** A warning each time Conflict or Ineffective turns true or changes its reason or message. */
function warningEvents(before: SamplingPolicyStatus | undefined, after: SamplingPolicyStatus): PolicyEvent[] {
  return (['Conflict', 'Ineffective'] as const).flatMap((type) => {
    const now = conditionOf(after, type);
    const then = conditionOf(before, type);
    const changed = then?.status !== 'True' || then.reason !== now?.reason || then.message !== now.message;
    return now?.status === 'True' && changed ? [{ type: 'Warning' as const, reason: type === 'Conflict' ? 'Conflict' : now.reason, message: now.message }] : [];
  });
}

/** Ready turning false for a reason other than a conflict (already reported): invalid spec, failures. */
function notReadyEvent(before: SamplingPolicyStatus | undefined, after: SamplingPolicyStatus): PolicyEvent[] {
  const ready = conditionOf(after, 'Ready');
  const then = conditionOf(before, 'Ready');
  if (ready?.status !== 'False' || ready.reason === 'Conflict') return [];
  return then?.status === 'False' && then.reason === ready.reason ? [] : [{ type: 'Warning', reason: ready.reason, message: ready.message }];
}

/**
 * Effective: a Normal event when the Envoys come to run the written percentage, and when they are
 * found running another (each change of sampling passes through that); a warning when meshtrace
 * has none of their config. Other reasons repeat what Conflict, Ineffective or the log already say.
 */
function effectiveEvent(before: SamplingPolicyStatus | undefined, after: SamplingPolicyStatus): PolicyEvent[] {
  const now = conditionOf(after, 'Effective');
  const then = conditionOf(before, 'Effective');
  if (now === undefined) return [];
  if (now.status === 'True') return then?.status === 'True' ? [] : [{ type: 'Normal', reason: 'Effective', message: now.message }];
  if (then?.status === now.status && then.reason === now.reason) return [];
  if (now.reason === 'Pending') return [{ type: 'Normal', reason: 'EffectivePending', message: now.message }];
  return now.reason === 'NoProxies' ? [{ type: 'Warning', reason: 'NoProxies', message: now.message }] : [];
}

/** One event per change between two statuses: what was written, and each condition that turned. */
export function eventsBetween(before: SamplingPolicyStatus | undefined, after: SamplingPolicyStatus): PolicyEvent[] {
  const boostEnded = after.boost?.expired === true && before?.boost?.expired !== true;
  return [
    ...appliedEvent(before, after), ...effectiveEvent(before, after), ...warningEvents(before, after), ...notReadyEvent(before, after),
    ...(boostEnded ? [{ type: 'Normal' as const, reason: 'BoostExpired', message: 'boost ended; previous sampling restored' }] : []),
  ];
}
