/**
 * Which policies a cache change can affect, so that a change queues the reconciles it needs and
 * no more. Each status write, finalizer and Telemetry the controller makes comes back through the
 * watch; re-running every policy of the namespace for each of those would make a pass over all
 * policies quadratic in the policies per namespace, and every single edit linear in them.
 */
import type { WatchEventType } from './list-watch.js';
import type { SamplingPolicy } from './policy.js';
import { stableJson } from './stable-json.js';
import { managingPolicy, sameSelector, selectorOf } from './telemetry.js';
import type { Telemetry } from './telemetry.js';

type Labels = Readonly<Record<string, string>>;

export interface Affected {
  /** Reconcile the object's own policy (the changed policy, or the Telemetry's writer). */
  readonly own: boolean;
  /** Other policies of the namespace that may see a difference. */
  readonly others: (other: SamplingPolicy) => boolean;
}

const none = (): boolean => false;

/** A policy's target as a selector; anything malformed is treated as the whole namespace (it may overlap anything). */
function targetOf(p: SamplingPolicy): Labels | undefined {
  const labels: unknown = p.spec?.target?.matchLabels;
  if (labels === null || typeof labels !== 'object' || Object.keys(labels).length === 0) return undefined;
  return Object.values(labels).every((v) => typeof v === 'string') ? labels as Labels : undefined;
}

/**
 * Whether one pod could carry both selectors' labels: only not when they ask different values of
 * one key. Undefined is the whole namespace, which overlaps everything.
 */
export function selectorsCanOverlap(a: Labels | undefined, b: Labels | undefined): boolean {
  if (a === undefined || b === undefined) return true;
  return Object.entries(a).every(([k, v]) => b[k] === undefined || b[k] === v);
}

/** Everything but status and resourceVersion: a change only there is a status write, with nothing to act on. */
const withoutStatus = (p: SamplingPolicy): string => stableJson({ metadata: { ...p.metadata, resourceVersion: undefined }, spec: p.spec });

/** What decides whether another policy at the same scope is older (conflicts.ts). */
const scopeOf = (p: SamplingPolicy): string => stableJson({ target: targetOf(p), deleting: p.metadata.deletionTimestamp !== undefined });

/**
 * A policy matters to the others of its namespace only through olderPolicyAtSameScope: those with
 * the same target, when it appears, goes, or changes target or starts deleting.
 */
export function policyChange(type: WatchEventType, p: SamplingPolicy, previous: SamplingPolicy | undefined): Affected {
  const sameScope = (other: SamplingPolicy): boolean => other.metadata.name !== p.metadata.name
    && [p, previous].some((x) => x !== undefined && sameSelector(targetOf(x), targetOf(other)));
  // A deleted policy too: if it went before its finalizer landed (or someone removed that), its
  // Telemetries are still there, and the reconcile of a policy that is gone deletes them.
  if (type !== 'MODIFIED' || previous === undefined) return { own: true, others: sameScope };
  return { own: withoutStatus(p) !== withoutStatus(previous), others: scopeOf(p) !== scopeOf(previous) ? sameScope : none };
}

/** What other policies read of a Telemetry: the cached (compact) object but its resourceVersion. */
const visible = (t: Telemetry): string => stableJson({ ...t, metadata: { ...t.metadata, resourceVersion: undefined } });

/**
 * A Telemetry matters to a policy when it may select some of the policy's pods (conflicts, and the
 * percentages its status reports), or when it has a name the policy would write (conflicts.ts).
 */
export function telemetryChange(type: WatchEventType, t: Telemetry, previous: Telemetry | undefined): Affected & { readonly owner: string | undefined } {
  const owner = managingPolicy(t) ?? (previous === undefined ? undefined : managingPolicy(previous));
  const versions = [t, previous].filter((x): x is Telemetry => x !== undefined);
  const others = (p: SamplingPolicy): boolean => p.metadata.name !== owner && versions.some((x) =>
    selectorsCanOverlap(selectorOf(x), targetOf(p)) || x.metadata.name.startsWith(`meshtrace-${p.metadata.name}`));
  if (type !== 'MODIFIED' || previous === undefined) return { owner, own: owner !== undefined, others };
  const changed = visible(t) !== visible(previous);
  return { owner, own: owner !== undefined && changed, others: changed ? others : none };
}
