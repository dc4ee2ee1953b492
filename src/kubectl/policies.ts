/**
 * Creating or updating the policy for a target, shared by `sampling set` and `boost`. A workload
 * is selected by its canonical-service label, which sidecar injection puts on every pod and which
 * names workloads in meshtrace's reports.
 */
import { PREVIOUS_SPEC_ANNOTATION } from '../controller/policy.js';
import type { SamplingPolicy, SamplingPolicySpec } from '../controller/policy.js';
import { CANONICAL_NAME_LABEL, sameSelector } from '../controller/telemetry.js';
import type { PluginContext } from './context.js';

export function selectorFor(workload: string | undefined): Record<string, string> | undefined {
  return workload === undefined ? undefined : { [CANONICAL_NAME_LABEL]: workload };
}

/** The policy already targeting exactly this scope, if any (the oldest when several do). */
export async function findPolicy(ctx: PluginContext, namespace: string, workload: string | undefined): Promise<SamplingPolicy | undefined> {
  const selector = selectorFor(workload);
  const list = await ctx.api.listPolicies(namespace);
  return list.items.filter((p) => sameSelector(p.spec.target?.matchLabels, selector))
    .sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''))[0];
}

export function defaultPolicyName(namespace: string, workload: string | undefined, rootNamespace: string): string {
  if (workload !== undefined) return workload.toLowerCase();
  return namespace === rootNamespace ? 'mesh' : 'namespace';
}

/** Replaces the mode: a merge patch must null the modes it drops. */
export function modePatch(spec: SamplingPolicySpec): Record<string, unknown> {
  return { fixed: null, adaptive: null, boost: null, ...spec };
}

export async function createOrUpdate(ctx: PluginContext, namespace: string, workload: string | undefined, spec: SamplingPolicySpec,
  annotations: Record<string, string | null> = {}): Promise<{ policy: SamplingPolicy; created: boolean }> {
  const existing = await findPolicy(ctx, namespace, workload);
  if (existing !== undefined) {
    const policy = await ctx.api.patchPolicy(namespace, existing.metadata.name, { metadata: { annotations }, spec: modePatch(spec) });
    return { policy, created: false };
  }
  const selector = selectorFor(workload);
  const kept = Object.fromEntries(Object.entries(annotations).filter((e): e is [string, string] => e[1] !== null));
  const policy = await ctx.api.createPolicy({
    metadata: { name: defaultPolicyName(namespace, workload, ctx.rootNamespace), namespace, ...(Object.keys(kept).length > 0 ? { annotations: kept } : {}) },
    spec: { ...(selector !== undefined ? { target: { matchLabels: selector } } : {}), ...spec },
  });
  return { policy, created: true };
}

export { PREVIOUS_SPEC_ANNOTATION };
