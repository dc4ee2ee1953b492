/**
 * Telemetries and policies that would fight over the same workloads. meshtrace never overwrites
 * what it did not write: a clash is reported as the policy's Conflict condition instead.
 */
import type { WorkloadFacts } from './reconcile-types.js';
import type { SamplingPolicy } from './policy.js';
import { managingPolicy, sameSelector, selectorOf, selects, telemetryKey } from './telemetry.js';
import type { Telemetry } from './telemetry.js';
import type { DesiredTelemetry } from './desired.js';

export interface ConflictFinding {
  readonly telemetryName: string;
  readonly message: string;
}

function owner(t: Telemetry): string {
  const policy = managingPolicy(t);
  return policy !== undefined ? `SamplingPolicy ${t.metadata.namespace}/${policy}` : `Telemetry ${telemetryKey(t)}`;
}

/** A foreign selector Telemetry that picks any of the pods the desired one would pick. */
function overlapsWorkloads(desired: DesiredTelemetry, other: Telemetry, workloads: readonly WorkloadFacts[] | undefined): boolean {
  const mine = desired.selector;
  const theirs = selectorOf(other);
  if (mine === undefined || theirs === undefined || workloads === undefined) return false;
  return workloads.some((w) => selects(mine, w.pod.labels) && selects(theirs, w.pod.labels));
}

export function findConflicts(policyName: string, desired: readonly DesiredTelemetry[], telemetries: readonly Telemetry[],
  workloads?: readonly WorkloadFacts[]): ConflictFinding[] {
  const out: ConflictFinding[] = [];
  for (const d of desired) {
    const ns = d.telemetry.metadata.namespace;
    for (const t of telemetries) {
      if (t.metadata.namespace !== ns || managingPolicy(t) === policyName) continue;
      if (t.metadata.name === d.telemetry.metadata.name) {
        out.push({ telemetryName: d.telemetry.metadata.name, message: `Telemetry ${telemetryKey(t)} already exists and was not written by this policy` });
      } else if (sameSelector(selectorOf(t), d.selector)) {
        const scope = d.selector === undefined ? 'the whole namespace' : 'the same selector';
        out.push({ telemetryName: d.telemetry.metadata.name, message: `${owner(t)} already sets ${scope}` });
      } else if (overlapsWorkloads(d, t, workloads)) {
        out.push({ telemetryName: d.telemetry.metadata.name, message: `${owner(t)} selects some of the same pods (two Telemetries on one workload is undefined behaviour in Istio)` });
      }
    }
  }
  return out;
}

const createdOrder = (a: SamplingPolicy, b: SamplingPolicy): number =>
  (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || a.metadata.name.localeCompare(b.metadata.name);

/** The older policy with the same namespace and target wins; this one conflicts if it is newer. */
export function olderPolicyAtSameScope(policy: SamplingPolicy, others: readonly SamplingPolicy[]): SamplingPolicy | undefined {
  return others.filter((o) => o.metadata.namespace === policy.metadata.namespace && o.metadata.name !== policy.metadata.name
    && o.metadata.deletionTimestamp === undefined
    && sameSelector(o.spec.target?.matchLabels, policy.spec.target?.matchLabels) && createdOrder(o, policy) < 0)
    .sort(createdOrder)[0];
}
