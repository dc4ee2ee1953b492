/**
 * The `Effective` condition and `status.effective`: do the Envoys of the workloads this policy
 * decides run the percentage it wrote in this pass? Writing a Telemetry is not the end: istiod
 * must push it and each Envoy apply it. meshtrace's xDS view (effective-rates.ts) says what they
 * run. Pure.
 */
import type { ConditionInput } from './conditions.js';
import type { DesiredTelemetry } from './desired.js';
import type { WorkloadEnvoys } from './effective-rates.js';
import type { EffectiveStatus, WorkloadStatus } from './policy.js';
import type { ObservedState } from './reconcile-types.js';
import { telemetryKey } from './telemetry.js';

/**
 * Percentages closer than this are equal. Spec percentages come in steps of 0.01 and Istio copies
 * the double into Envoy's `random_sampling`, so only float noise can differ.
 */
export const PERCENTAGE_TOLERANCE = 1e-4;
/** Most workloads listed in status.effective (the status must stay small); mismatches come first. */
export const MAX_EFFECTIVE_LISTED = 50;
/** Most workloads named in the condition's message. */
const MAX_NAMED = 5;
/** Ineffective reasons under which the Envoys are not expected to run what the policy wrote. */
const NOT_EXPECTED = new Set(['NoWorkloads', 'NoProvider', 'ProviderSampler', 'Overridden']);

export interface EffectiveInput {
  readonly state: ObservedState;
  /** Telemetries written in this pass (conflicting ones excluded). */
  readonly written: readonly DesiredTelemetry[];
  /** The targeted workloads, resolved against the Telemetries as this pass leaves them. */
  readonly workloads: readonly WorkloadStatus[];
  /** This pass's Ineffective condition when it is true. */
  readonly ineffective: ConditionInput | undefined;
}

export interface EffectiveOutcome {
  readonly condition: ConditionInput;
  /** status.effective, when workloads were compared. */
  readonly listed?: readonly EffectiveStatus[];
  /** Compared workloads left out of `listed`. */
  readonly omitted?: number;
}

interface Target { readonly name: string; readonly expected: number }
type Verdict = 'differs' | 'unseen' | 'matches';
interface Compared { readonly target: Target; readonly envoys: WorkloadEnvoys | undefined; readonly verdict: Verdict }

const VERDICT_ORDER: readonly Verdict[] = ['differs', 'unseen', 'matches'];

const pct = (p: number): string => `${Number(p.toFixed(4))}%`;
const pods = (n: number): string => `${n} pod${n === 1 ? '' : 's'}`;
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function outcome(status: boolean, reason: string, message: string): EffectiveOutcome {
  return { condition: { type: 'Effective', status, reason, message } };
}

/**
 * The workloads this policy decides, with the percentage it wrote for each, and how many targeted
 * ones something more specific decides. Undefined when the targeted workloads are unknown.
 */
function targets(input: EffectiveInput): { readonly decided: Target[]; readonly others: number } | undefined {
  const { state, written, workloads } = input;
  const whole = written.find((d) => d.workload === undefined)?.percentage;
  const perWorkload = new Map(written.flatMap((d) => (d.workload === undefined ? [] : [[d.workload, d.percentage] as const])));
  // Without pods only adaptive policies know their workloads: one Telemetry each.
  if (state.workloads === undefined && perWorkload.size === 0) return undefined;
  const refs = new Set(written.map((d) => telemetryKey(d.telemetry)));
  const decided: Target[] = [];
  let others = 0;
  for (const w of workloads) {
    const expected = perWorkload.get(w.name) ?? whole;
    if (expected === undefined) continue;
    if (w.source !== undefined && !refs.has(w.source)) others++;
    else decided.push({ name: w.name, expected });
  }
  return { decided, others };
}

function compare(target: Target, envoys: WorkloadEnvoys | undefined): Compared {
  const same = (p: number): boolean => Math.abs(p - target.expected) < PERCENTAGE_TOLERANCE;
  const verdict: Verdict = envoys === undefined || envoys.groups.length === 0 ? 'unseen'
    : envoys.groups.every((g) => g.percentages.length > 0 && g.percentages.every(same)) ? 'matches' : 'differs';
  return { target, envoys, verdict };
}

function running(e: WorkloadEnvoys): string {
  return e.groups.map((g) => `${g.percentages.length === 0 ? 'no tracing' : g.percentages.map(pct).join('/')} (${pods(g.proxies)})`).join(', ');
}

function unseen(c: Compared): string {
  const e = c.envoys;
  return e === undefined ? c.target.name : `${c.target.name} (${pods(e.proxies)} without ${e.gateway ? 'gateway' : 'inbound'} HTTP listeners)`;
}

function named(items: readonly string[]): string {
  return items.slice(0, MAX_NAMED).join('; ') + (items.length > MAX_NAMED ? `; and ${items.length - MAX_NAMED} more` : '');
}

function listed(compared: readonly Compared[]): Pick<EffectiveOutcome, 'listed' | 'omitted'> {
  const sorted = [...compared].sort((a, b) => VERDICT_ORDER.indexOf(a.verdict) - VERDICT_ORDER.indexOf(b.verdict) || a.target.name.localeCompare(b.target.name));
  const entries = sorted.slice(0, MAX_EFFECTIVE_LISTED).map((c): EffectiveStatus => ({
    workload: c.target.name, percentages: c.envoys?.percentages ?? [], proxies: c.envoys?.proxies ?? 0,
    expected: c.target.expected, matches: c.verdict === 'matches',
  }));
  return { listed: entries, ...(sorted.length > entries.length ? { omitted: sorted.length - entries.length } : {}) };
}

function verdictOutcome(compared: readonly Compared[], others: number, omitted: number | undefined): EffectiveOutcome {
  const of = (v: Verdict): Compared[] => compared.filter((c) => c.verdict === v);
  const notes = [
    ...(others > 0 ? [`${plural(others, 'targeted workload')} decided by other settings, not compared`] : []),
    ...(omitted !== undefined ? [`${omitted} not listed in status.effective`] : []),
  ];
  const tail = notes.length === 0 ? '' : ` (${notes.join('; ')})`;
  const differs = of('differs');
  if (differs.length > 0) {
    return outcome(false, 'Pending', named(differs.map((c) => `${c.target.name} runs ${running(c.envoys!)}, asked ${pct(c.target.expected)}`)) + tail);
  }
  const missing = of('unseen');
  const matching = of('matches');
  if (missing.length > 0) {
    const fine = matching.length === 0 ? '' : `; ${plural(matching.length, 'other workload')} run the written percentage`;
    return outcome(false, 'NoProxies', `meshtrace has no Envoy config to compare for ${named(missing.map(unseen))}${fine}${tail}`);
  }
  const values = [...new Set(matching.map((c) => c.target.expected))].sort((a, b) => a - b).map(pct).join(', ');
  return outcome(true, 'Effective', `the Envoys of ${plural(matching.length, 'workload')} run ${values}${tail}`);
}

/** The Effective condition of one reconcile pass, and status.effective when there was something to compare. */
export function effectiveOutcome(input: EffectiveInput): EffectiveOutcome {
  const { state, written, ineffective } = input;
  if (written.length === 0) return outcome(false, 'NotApplied', 'no Telemetry written, so no percentage to look for in the Envoys');
  if (ineffective !== undefined && NOT_EXPECTED.has(ineffective.reason)) {
    return outcome(false, 'Ineffective', `the Envoys are not expected to run the written percentage: ${ineffective.message}`);
  }
  const view = state.effective;
  if (view === undefined) return outcome(false, 'Unknown', 'the controller has no --meshtrace-url, so it cannot see what the Envoys run');
  if ('unavailable' in view) return outcome(false, 'Unknown', `cannot read what the Envoys run from meshtrace: ${view.unavailable}`);
  const t = targets(input);
  if (t === undefined) return outcome(false, 'Unknown', 'the targeted pods were not listed (--inspect-pods=false, or listing failed), so which Envoys to check is unknown');
  if (t.decided.length === 0) return outcome(false, 'Ineffective', 'no targeted workload takes its percentage from this policy');
  const compared = t.decided.map((target) => compare(target, view.workloads.get(target.name)));
  const list = listed(compared);
  return { ...verdictOutcome(compared, t.others, list.omitted), ...list };
}
