/**
 * The reconciler: from one policy and what the cluster holds, the Telemetries to apply and delete,
 * the policy's status and the events to record. Pure: the I/O shell (run.ts) feeds it a snapshot
 * and carries out the plan, so every rule here is tested without an API server.
 *
 * An invalid policy keeps its last good Telemetries (a typo must not switch tracing off), and a
 * clash with something meshtrace did not write is reported, never overwritten.
 */
import { adaptiveStep } from './adaptive.js';
import { boostStatus, boostWindow, previousSpec } from './boost.js';
import { eventsBetween, mergeConditions } from './conditions.js';
import type { ConditionInput } from './conditions.js';
import { findConflicts, olderPolicyAtSameScope } from './conflicts.js';
import { buildTelemetry } from './desired.js';
import type { DesiredTelemetry } from './desired.js';
import { effectiveOutcome } from './effective-status.js';
import { describeTarget, validatePolicy } from './policy.js';
import type { BoostStatus, SamplingPolicy, SamplingPolicySpec, SamplingPolicyStatus, ValidPolicy, WorkloadStatus } from './policy.js';
import { resolveSampling } from './precedence.js';
import type { ObservedState, ReconcilePlan, WorkloadFacts } from './reconcile-types.js';
import { managingPolicy, telemetryKey } from './telemetry.js';
import type { Telemetry } from './telemetry.js';

interface Intent {
  readonly desired: readonly DesiredTelemetry[];
  readonly boost?: BoostStatus;
  readonly restoreSpec?: SamplingPolicySpec;
  readonly requeueAfterMs?: number;
  /** Adaptive bookkeeping per workload, merged into status.workloads. */
  readonly adaptive?: ReadonlyMap<string, Pick<WorkloadStatus, 'observedTracesPerSecond' | 'lastChangeTime'>>;
  readonly notes: readonly ConditionInput[];
}

const owned = (s: ObservedState): Telemetry[] =>
  s.telemetries.filter((t) => t.metadata.namespace === s.policy.metadata.namespace && managingPolicy(t) === s.policy.metadata.name);

/** Workloads the rates know about that start traces, restricted to the target when pods are known. */
function adaptiveCandidates(s: ObservedState): string[] {
  if (s.rates === undefined) return [];
  const targeted = s.workloads === undefined ? undefined : new Set(s.workloads.map((w) => w.name));
  return [...s.rates.entries()]
    .filter(([name, r]) => (targeted === undefined || targeted.has(name)) && (r.role !== 'service' || r.rootCalls > 0))
    .map(([name]) => name).sort();
}

function currentPercentage(s: ObservedState, valid: ValidPolicy, workload: string, mine: readonly Telemetry[]): number {
  const written = mine.find((t) => t.metadata.labels?.['meshtrace.io/workload'] === workload)?.spec?.tracing?.[0]?.randomSamplingPercentage;
  if (written !== undefined) return written;
  const facts = s.workloads?.find((w) => w.name === workload);
  const mode = valid.mode as Extract<ValidPolicy['mode'], { kind: 'adaptive' }>;
  if (facts === undefined) return mode.minPercentage;
  // Start from what is in effect now, so taking over a workload causes no jump.
  return resolveSampling({ rootNamespace: s.rootNamespace, mesh: s.mesh, telemetries: s.telemetries, pod: facts.pod }).percentage;
}

function adaptiveIntent(s: ObservedState, valid: ValidPolicy): Intent {
  const mode = valid.mode as Extract<ValidPolicy['mode'], { kind: 'adaptive' }>;
  const mine = owned(s);
  const previous = new Map((s.policy.status?.workloads ?? []).map((w) => [w.name, w]));
  const names = new Set([...adaptiveCandidates(s), ...mine.map((t) => t.metadata.labels?.['meshtrace.io/workload']).filter((n): n is string => n !== undefined)]);
  const desired: DesiredTelemetry[] = [];
  const adaptive = new Map<string, Pick<WorkloadStatus, 'observedTracesPerSecond' | 'lastChangeTime'>>();
  for (const name of [...names].sort()) {
    const current = currentPercentage(s, valid, name, mine);
    const lastChange = previous.get(name)?.lastChangeTime;
    const observed = s.rates?.get(name)?.tracesPerSecond;
    const step = adaptiveStep(mode, { percentage: current, lastChangeMs: lastChange === undefined ? undefined : Date.parse(lastChange) }, observed, s.nowMs, s.tuning);
    desired.push(buildTelemetry(s.policy, valid, step.percentage, name));
    adaptive.set(name, {
      ...(observed !== undefined ? { observedTracesPerSecond: Math.round(observed * 1000) / 1000 } : {}),
      ...(step.changed ? { lastChangeTime: new Date(s.nowMs).toISOString() } : lastChange !== undefined ? { lastChangeTime: lastChange } : {}),
    });
  }
  const notes: ConditionInput[] = s.rates === undefined
    ? [{ type: 'Ineffective', status: true, reason: 'NoMeasurements', message: 'adaptive sampling needs the controller\'s --meshtrace-url; keeping the current percentages' }]
    : names.size === 0 ? [{ type: 'Ineffective', status: true, reason: 'NoTraceStarters', message: 'meshtrace saw no targeted workload start traces in the window' }] : [];
  return { desired, adaptive, notes };
}

function boostIntent(s: ObservedState, valid: ValidPolicy): Intent {
  const mode = valid.mode as Extract<ValidPolicy['mode'], { kind: 'boost' }>;
  const window = boostWindow(mode, s.policy, s.nowMs);
  if (!window.expired) {
    return { desired: [buildTelemetry(s.policy, valid, mode.percentage)], boost: boostStatus(window), requeueAfterMs: window.expiresAt - s.nowMs, notes: [] };
  }
  const { spec, problem } = previousSpec(s.policy);
  const notes: ConditionInput[] = problem === undefined ? [] : [{ type: 'Ineffective', status: true, reason: 'PreviousSpecUnreadable', message: problem }];
  if (spec === undefined) return { desired: [], boost: boostStatus(window), notes };
  // Return to the saved spec in the same pass, so the Telemetry is updated in place, not deleted and recreated.
  const restored = validatePolicy({ ...s.policy, spec }, s.rootNamespace);
  if (!restored.ok) return { desired: [], boost: boostStatus(window), notes: [{ type: 'Ineffective', status: true, reason: 'PreviousSpecInvalid', message: restored.errors.join('; ') }] };
  const inner = intentFor({ ...s, policy: { ...s.policy, spec } }, restored.policy);
  return { ...inner, boost: boostStatus(window), restoreSpec: spec };
}

function intentFor(s: ObservedState, valid: ValidPolicy): Intent {
  switch (valid.mode.kind) {
    case 'fixed': return { desired: [buildTelemetry(s.policy, valid, valid.mode.percentage)], notes: [] };
    case 'boost': return boostIntent(s, valid);
    case 'adaptive': return adaptiveIntent(s, valid);
  }
}

function workloadStatuses(s: ObservedState, after: readonly Telemetry[], intent: Intent): WorkloadStatus[] {
  const names = new Set([...(s.workloads ?? []).map((w) => w.name), ...(intent.adaptive?.keys() ?? [])]);
  return [...names].sort().map((name) => {
    const facts: WorkloadFacts | undefined = s.workloads?.find((w) => w.name === name);
    const r = facts === undefined ? undefined : resolveSampling({ rootNamespace: s.rootNamespace, mesh: s.mesh, telemetries: after, pod: facts.pod });
    const role = s.rates?.get(name)?.role;
    return {
      name,
      ...(r !== undefined ? { percentage: r.percentage, source: r.decidedBy } : {}),
      ...(r?.provider !== undefined ? { provider: r.provider } : {}),
      ...(role !== undefined ? { role } : {}),
      ...intent.adaptive?.get(name),
    };
  });
}

/** Why a valid, applied policy still changes nothing; undefined when it does change something. */
function ineffective(s: ObservedState, workloads: readonly WorkloadStatus[], written: ReadonlySet<string>): ConditionInput | undefined {
  const cond = (reason: string, message: string): ConditionInput => ({ type: 'Ineffective', status: true, reason, message });
  if (s.workloads !== undefined && s.workloads.length === 0) return cond('NoWorkloads', 'no pods match the target');
  const resolved = workloads.filter((w) => w.percentage !== undefined);
  if (resolved.length === 0) return undefined;
  if (resolved.every((w) => w.provider === undefined)) return cond('NoProvider', 'no tracing provider applies (meshConfig.defaultProviders.tracing or spec.provider): nothing is traced');
  const sampler = s.mesh.extensionProviders.find((p) => p.hasSampler && resolved.some((w) => w.provider === p.name));
  if (sampler !== undefined) return cond('ProviderSampler', `provider ${sampler.name} has its own sampler, which overrides Telemetry percentages`);
  const overridden = resolved.filter((w) => !written.has(w.source ?? ''));
  if (overridden.length === resolved.length) return cond('Overridden', `more specific settings decide every targeted workload: ${[...new Set(overridden.map((w) => w.source))].join(', ')}`);
  if (s.rates !== undefined) {
    const known = resolved.filter((w) => s.rates!.has(w.name));
    const callersDecide = known.filter((w) => w.role === 'service' && (s.rates!.get(w.name)?.rootCalls ?? 0) === 0);
    if (known.length > 0 && callersDecide.length === known.length) {
      return cond('CallersDecide', `${callersDecide.map((w) => w.name).join(', ')} never start traces: the sampling decision arrives with their callers' requests`);
    }
  }
  return undefined;
}

function summary(workloads: readonly WorkloadStatus[], desired: readonly DesiredTelemetry[]): string {
  const values = workloads.map((w) => w.percentage).filter((p): p is number => p !== undefined);
  const from = values.length > 0 ? values : desired.map((d) => d.percentage);
  if (from.length === 0) return '-';
  const lo = Math.min(...from);
  const hi = Math.max(...from);
  return lo === hi ? String(lo) : `${lo}-${hi}`;
}

function modeName(spec: SamplingPolicySpec): string {
  return spec.fixed !== undefined ? 'fixed' : spec.adaptive !== undefined ? 'adaptive' : spec.boost !== undefined ? 'boost' : 'invalid';
}

function invalidPlan(s: ObservedState, errors: readonly string[]): ReconcilePlan {
  const now = new Date(s.nowMs).toISOString();
  const message = errors.join('; ');
  const status: SamplingPolicyStatus = {
    ...s.policy.status,
    observedGeneration: s.policy.metadata.generation,
    mode: modeName(s.policy.spec), target: describeTarget(s.policy.spec.target?.matchLabels, s.policy.metadata.namespace === s.rootNamespace),
    conditions: mergeConditions(s.policy.status?.conditions, [
      { type: 'Ready', status: false, reason: 'InvalidSpec', message: `${message} (keeping the last good Telemetry)` },
    ], s.policy.metadata.generation, now),
  };
  return { apply: [], delete: [], status, events: eventsBetween(s.policy.status, status) };
}

function conditionsFor(conflicts: readonly string[], toApply: readonly DesiredTelemetry[], intent: Intent, inert: ConditionInput | undefined, effective: ConditionInput): ConditionInput[] {
  const conflict = conflicts.join('; ');
  return [
    effective,
    conflict !== ''
      ? { type: 'Ready', status: false, reason: 'Conflict', message: conflict }
      : { type: 'Ready', status: true, reason: 'Reconciled', message: toApply.length === 0 ? 'nothing to write' : `${toApply.length} Telemetry written` },
    toApply.length > 0
      ? { type: 'Applied', status: true, reason: 'TelemetryApplied', message: toApply.map((d) => telemetryKey(d.telemetry)).join(', ') }
      : { type: 'Applied', status: intent.desired.length === 0, reason: 'NothingToApply', message: 'no Telemetry to write' },
    conflict !== ''
      ? { type: 'Conflict', status: true, reason: 'ForeignTelemetry', message: conflict }
      : { type: 'Conflict', status: false, reason: 'NoConflict', message: 'no other Telemetry or policy sets the same workloads' },
    inert ?? { type: 'Ineffective', status: false, reason: 'Effective', message: 'the written percentage applies to the targeted workloads' },
  ];
}

/** Plans one reconcile of one policy. */
export function reconcile(s: ObservedState): ReconcilePlan {
  const policy: SamplingPolicy = s.policy;
  const v = validatePolicy(policy, s.rootNamespace);
  if (!v.ok) return invalidPlan(s, v.errors);
  const intent = intentFor(s, v.policy);
  const mine = owned(s);
  const older = olderPolicyAtSameScope(policy, s.policies);
  const conflicts = older !== undefined
    ? intent.desired.map((d) => ({ telemetryName: d.telemetry.metadata.name, message: `SamplingPolicy ${telemetryKey(older)} already targets the same workloads` }))
    : findConflicts(policy.metadata.name, intent.desired, s.telemetries, s.workloads);
  const blocked = new Set(conflicts.map((c) => c.telemetryName));
  const toApply = intent.desired.filter((d) => !blocked.has(d.telemetry.metadata.name));
  const wanted = new Set(intent.desired.map((d) => d.telemetry.metadata.name));
  const toDelete = mine.map((t) => t.metadata.name).filter((n) => !wanted.has(n));
  const after = [
    ...s.telemetries.filter((t) => !(t.metadata.namespace === policy.metadata.namespace && (toDelete.includes(t.metadata.name) || toApply.some((d) => d.telemetry.metadata.name === t.metadata.name)))),
    ...toApply.map((d) => d.telemetry),
  ];
  const workloads = workloadStatuses(s, after, intent);
  const writtenRefs = new Set(toApply.map((d) => telemetryKey(d.telemetry)));
  const inert = intent.notes.find((n) => n.type === 'Ineffective') ?? ineffective(s, workloads, writtenRefs);
  const effective = effectiveOutcome({ state: s, written: toApply, workloads, ineffective: inert });
  const conditions = conditionsFor(conflicts.map((c) => c.message), toApply, intent, inert, effective.condition);
  const status: SamplingPolicyStatus = {
    observedGeneration: policy.metadata.generation,
    mode: modeName(intent.restoreSpec ?? policy.spec),
    target: describeTarget(v.policy.matchLabels, policy.metadata.namespace === s.rootNamespace),
    percentage: summary(workloads, toApply),
    conditions: mergeConditions(policy.status?.conditions, conditions, policy.metadata.generation, new Date(s.nowMs).toISOString()),
    telemetries: [...toApply.map((d) => ({ namespace: d.telemetry.metadata.namespace, name: d.telemetry.metadata.name, percentage: d.percentage, ...(d.workload !== undefined ? { workload: d.workload } : {}) })),
      ...mine.filter((t) => blocked.has(t.metadata.name)).map((t) => ({ namespace: t.metadata.namespace, name: t.metadata.name, percentage: t.spec?.tracing?.[0]?.randomSamplingPercentage ?? 0 }))],
    ...(workloads.length > 0 ? { workloads } : {}),
    ...(effective.listed !== undefined && effective.listed.length > 0 ? { effective: effective.listed } : {}),
    ...(effective.omitted !== undefined ? { effectiveOmitted: effective.omitted } : {}),
    ...(intent.boost !== undefined ? { boost: intent.boost } : {}),
  };
  return {
    apply: toApply.map((d) => d.telemetry), delete: toDelete, status, events: eventsBetween(policy.status, status),
    ...(intent.restoreSpec !== undefined ? { restoreSpec: intent.restoreSpec } : {}),
    ...(intent.requeueAfterMs !== undefined ? { requeueAfterMs: intent.requeueAfterMs } : {}),
  };
}

/** Telemetries to delete before the policy's finalizer may go, or once the policy is gone. */
export function cleanupTargets(policy: { readonly metadata: { readonly namespace: string; readonly name: string } }, telemetries: readonly Telemetry[]): string[] {
  return telemetries.filter((t) => t.metadata.namespace === policy.metadata.namespace && managingPolicy(t) === policy.metadata.name).map((t) => t.metadata.name);
}
