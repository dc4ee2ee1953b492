/** `kubectl meshtrace sampling get [-A]` and `kubectl meshtrace sampling set <ns>[/<workload>] <percent>`. */
import { describeTarget, roundPercentage } from '../controller/policy.js';
import type { SamplingPolicy } from '../controller/policy.js';
import { PluginUsageError, parseTarget } from './context.js';
import type { PluginContext } from './context.js';
import { PREVIOUS_SPEC_ANNOTATION, createOrUpdate } from './policies.js';
import { formatTable } from './table.js';

function modeText(p: SamplingPolicy): string {
  const s = p.spec;
  if (s.fixed !== undefined) return `fixed ${s.fixed.percentage}%`;
  if (s.adaptive !== undefined) return `adaptive ${s.adaptive.targetTracesPerSecond}/s (${s.adaptive.minPercentage ?? 0.01}-${s.adaptive.maxPercentage ?? 100}%)`;
  if (s.boost !== undefined) {
    const until = p.status?.boost?.expiresAt;
    return `boost ${s.boost.percentage}% ${p.status?.boost?.expired === true ? '(expired)' : until !== undefined ? `until ${until.slice(11, 19)}Z` : `for ${s.boost.duration}`}`;
  }
  return 'invalid';
}

function readyText(p: SamplingPolicy): string {
  const ready = p.status?.conditions?.find((c) => c.type === 'Ready');
  const flags = (['Conflict', 'Ineffective'] as const).filter((t) => p.status?.conditions?.some((c) => c.type === t && c.status === 'True'));
  if (ready === undefined) return 'Pending';
  return `${ready.status === 'True' ? 'Ready' : ready.reason}${flags.length > 0 ? ` (${flags.map((f) => p.status?.conditions?.find((c) => c.type === f)?.reason ?? f).join(', ')})` : ''}`;
}

const pct = (p: number): string => `${Number(p.toFixed(4))}%`;

/** What the Envoys run (status.effective), with the Effective reason unless they run what was written. */
export function effectiveText(p: SamplingPolicy): string {
  const c = p.status?.conditions?.find((x) => x.type === 'Effective');
  if (c === undefined) return '-';
  const values = [...new Set((p.status?.effective ?? []).flatMap((e) => e.percentages))].sort((a, b) => a - b).map(pct).join(',');
  if (c.status === 'True') return values === '' ? 'yes' : values;
  return values === '' ? c.reason : `${values} (${c.reason})`;
}

export async function samplingGet(ctx: PluginContext, allNamespaces: boolean): Promise<void> {
  const list = await ctx.api.listPolicies(allNamespaces ? undefined : ctx.namespace);
  const rows = list.items
    .sort((a, b) => a.metadata.namespace.localeCompare(b.metadata.namespace) || a.metadata.name.localeCompare(b.metadata.name))
    .map((p) => [
      ...(allNamespaces ? [p.metadata.namespace] : []), p.metadata.name,
      p.status?.target ?? describeTarget(p.spec.target?.matchLabels, p.metadata.namespace === ctx.rootNamespace), modeText(p),
      p.status?.percentage !== undefined ? `${p.status.percentage}%` : '-', effectiveText(p), readyText(p),
    ]);
  if (rows.length === 0) {
    ctx.out.write(`No SamplingPolicies found${allNamespaces ? '' : ` in ${ctx.namespace} namespace`}.\n`);
    return;
  }
  ctx.out.write(formatTable([...(allNamespaces ? ['NAMESPACE'] : []), 'NAME', 'TARGET', 'MODE', 'PERCENTAGE', 'EFFECTIVE', 'STATUS'], rows));
}

export function parsePercent(text: string | undefined): number {
  const n = Number(String(text ?? '').replace(/%$/, ''));
  if (text === undefined || text === '' || !Number.isFinite(n) || n < 0 || n > 100) {
    throw new PluginUsageError(`expected a percentage from 0 to 100, got ${JSON.stringify(text)} (Istio would turn values outside 0-100 into 1%)`);
  }
  return roundPercentage(n);
}

export async function samplingSet(ctx: PluginContext, targetText: string | undefined, percentText: string | undefined): Promise<void> {
  const { namespace, workload } = parseTarget(targetText, ctx.namespace);
  const percentage = parsePercent(percentText);
  const { policy, created } = await createOrUpdate(ctx, namespace, workload, { fixed: { percentage } }, { [PREVIOUS_SPEC_ANNOTATION]: null });
  ctx.out.write(`samplingpolicy.meshtrace.io/${policy.metadata.name} ${created ? 'created' : 'configured'}: ${namespace}${workload !== undefined ? `/${workload}` : ''} at ${percentage}%\n`);
}
