/**
 * `kubectl meshtrace explain <pod>`: every Telemetry, SamplingPolicy, mesh-config value and
 * annotation that applies to the pod, highest precedence first, and the result, resolved by the
 * same code the controller uses (src/controller/precedence.ts).
 */
import { MESH_CONFIGMAP, MESH_CONFIGMAP_KEY, parseMeshConfig } from '../controller/mesh-config.js';
import { resolveSampling } from '../controller/precedence.js';
import type { Resolution, Source } from '../controller/precedence.js';
import { podFacts } from '../controller/workloads.js';
import { PluginUsageError } from './context.js';
import type { PluginContext } from './context.js';
import { formatTable } from './table.js';
import { formatEffective, podEnvoyTracing } from './effective.js';
import type { ProxyTracing } from '../xds/index.js';

const MARK: Record<Source['effect'], string> = { decides: '*', overridden: '', ignored: 'x', 'via-telemetry': '' };

function chainTable(chain: readonly Source[]): string {
  return formatTable(['', 'SOURCE', 'NAME', 'SCOPE', 'SAMPLING', 'PROVIDER', 'EFFECT', 'NOTE'], chain.map((s) => [
    MARK[s.effect], s.kind, s.ref, s.scope, s.percentage !== undefined ? `${s.percentage}%` : '-', s.provider ?? '-', s.effect, s.note ?? '',
  ]));
}

export function formatExplanation(podRef: string, workload: string, gateway: boolean, r: Resolution, effective?: ProxyTracing | string): string {
  const lines = [
    `Pod:       ${podRef} (workload ${workload}, ${gateway ? 'gateway: client-side settings decide' : 'sidecar'})`,
    `Sampling:  ${r.percentage}% of the traces that start here, decided by ${r.decidedBy} (intended)`,
    `Provider:  ${r.provider ?? 'none: tracing is off for this pod'}`,
    ...(effective === undefined ? [] : formatEffective(r, effective, gateway)),
  ];
  const other = gateway ? r.server : r.client;
  if (other.percentage !== r.percentage) lines.push(`${gateway ? 'Inbound' : 'Outbound'}:  ${other.percentage}% (${other.decidedBy}) for traces this pod starts on its ${gateway ? 'inbound' : 'outbound'} side`);
  lines.push('', 'Precedence, highest first (* decides, x ignored by Istio):', chainTable(r.chain).trimEnd());
  if (r.warnings.length > 0) lines.push('', 'Warnings:', ...r.warnings.map((w) => `  - ${w}`));
  lines.push('', 'Only traces that start at this pod use its percentage: a request that arrives with a sampling', 'decision (x-b3-sampled / traceparent) keeps its caller\'s decision.');
  return lines.join('\n') + '\n';
}

export async function explain(ctx: PluginContext, podName: string | undefined): Promise<void> {
  if (podName === undefined || podName === '') throw new PluginUsageError('explain needs a pod name');
  const [namespace, name] = podName.includes('/') ? podName.split('/', 2) as [string, string] : [ctx.namespace, podName];
  const pod = await ctx.api.getPod(namespace, name);
  if (pod === undefined) throw new PluginUsageError(`pod ${namespace}/${name} not found`);
  const facts = podFacts(pod);
  const namespaces = [...new Set([namespace, ctx.rootNamespace])];
  const [telemetries, policies, configMap] = await Promise.all([
    Promise.all(namespaces.map((ns) => ctx.api.listTelemetries(ns))).then((ls) => ls.flatMap((l) => l.items)),
    Promise.all(namespaces.map((ns) => ctx.api.listPolicies(ns).catch(() => ({ items: [] })))).then((ls) => ls.flatMap((l) => l.items)),
    ctx.api.getConfigMap(ctx.rootNamespace, MESH_CONFIGMAP).catch(() => undefined),
  ]);
  const mesh = parseMeshConfig(configMap?.data?.[MESH_CONFIGMAP_KEY]);
  const resolution = resolveSampling({ rootNamespace: ctx.rootNamespace, mesh, telemetries, pod: facts, policies });
  const warnings = [...resolution.warnings, ...mesh.problems.map((p) => `mesh config: ${p}`),
    ...(configMap === undefined ? [`no ConfigMap ${ctx.rootNamespace}/${MESH_CONFIGMAP}: mesh defaults assumed (wrong root namespace? use --root-namespace)`] : [])];
  const effective = await podEnvoyTracing(ctx, namespace, name);
  ctx.out.write(formatExplanation(`${namespace}/${name}`, facts.workload, facts.gateway === true, { ...resolution, warnings }, effective));
}
