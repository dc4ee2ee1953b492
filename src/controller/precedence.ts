/**
 * Which sampling percentage and tracing provider Istio gives one pod, and why: the chain of every
 * setting that applies to it, highest precedence first.
 *
 * Istio's rules (istio/istio pilot/pkg/model/telemetry.go and networking/core/tracing.go):
 * - Telemetry layers apply in order root namespace → pod namespace → workload selector; in each of
 *   the first two only the oldest selector-less Telemetry counts, selectors in the root namespace
 *   are ignored, and two Telemetries selecting one workload is undefined behaviour.
 * - Each `tracing[]` entry overwrites the fields it sets, for the client side (outbound, gateways),
 *   the server side (inbound) or both (`match.mode`).
 * - Percentage: provider sampler > Telemetry randomSamplingPercentage > ProxyConfig
 *   `tracing.sampling` (pod annotation `proxy.istio.io/config` over meshConfig.defaultConfig) >
 *   PILOT_TRACE_SAMPLING (1%). ProxyConfig values outside 0–100 become 1%, and 0 counts as unset.
 *   With a provider sampler istiod writes random_sampling 100, so every request reaches the sampler.
 * - Provider, per side: the last Telemetry `providers` set, else meshConfig.defaultProviders.tracing[0]
 *   (looked up case-insensitively). No provider, or one missing from extensionProviders, means that
 *   side is not traced; so does `disableSpanReporting`.
 * - Legacy: with no Telemetry tracing entry at all and no default provider, an explicit
 *   `meshConfig.enableTracing: true` still traces, with the ProxyConfig percentage.
 */
import { PILOT_TRACE_SAMPLING_DEFAULT, annotationSampling, istioSamplingValue } from './mesh-config.js';
import type { ExtensionProvider, MeshTracingConfig } from './mesh-config.js';
import type { SamplingPolicy } from './policy.js';
import { hasTargetRefs, managingPolicy, selectorOf, selects } from './telemetry.js';
import type { Telemetry, TracingEntry } from './telemetry.js';

export const PROXY_CONFIG_ANNOTATION = 'proxy.istio.io/config';

export interface PodFacts {
  readonly namespace: string;
  readonly name?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** Gateways sample with the client-side settings. */
  readonly gateway?: boolean;
}

export type SourceKind = 'Telemetry' | 'SamplingPolicy' | 'ProxyConfigAnnotation' | 'MeshConfig' | 'IstiodDefault' | 'DefaultProvider' | 'ProviderSampler';
export type Effect = 'decides' | 'overridden' | 'ignored' | 'via-telemetry';

export interface Source {
  readonly kind: SourceKind;
  /** `namespace/name` for resources, the field path for configuration. */
  readonly ref: string;
  readonly scope: 'mesh' | 'namespace' | 'workload' | 'pod' | 'default';
  readonly percentage?: number;
  readonly provider?: string;
  readonly effect: Effect;
  readonly note?: string;
}

export interface Side {
  readonly percentage: number;
  /** The `ref` of the source that decided the percentage. */
  readonly decidedBy: string;
  /** The provider this side reports through; undefined: none. Always set by resolveSampling. */
  readonly provider?: string | undefined;
  /** False when istiod gives this side's listeners no tracing at all (no provider, disableSpanReporting). */
  readonly tracingEnabled?: boolean;
  /** The provider's own sampler decides: istiod then writes random_sampling 100 on this side. */
  readonly providerSampler?: boolean;
}

export interface Resolution {
  /** Inbound side for sidecars, client side for gateways: what decides traces that start here. */
  readonly percentage: number;
  readonly decidedBy: string;
  readonly server: Side;
  readonly client: Side;
  readonly provider: string | undefined;
  readonly tracingEnabled: boolean;
  /** Highest precedence first. */
  readonly chain: readonly Source[];
  readonly warnings: readonly string[];
}

export interface ResolveInput {
  readonly rootNamespace: string;
  readonly mesh: MeshTracingConfig;
  readonly telemetries: readonly Telemetry[];
  readonly pod: PodFacts;
  /** Only shown in the chain: policies act through the Telemetries they write. */
  readonly policies?: readonly SamplingPolicy[];
}

interface Layer { readonly telemetry: Telemetry; readonly scope: Source['scope'] }
interface SideState { percentage?: number; pctFrom?: string; provider?: string; disabled?: boolean; disabledFrom?: string }

const byAge = (a: Telemetry, b: Telemetry): number =>
  (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || a.metadata.name.localeCompare(b.metadata.name);

const ref = (t: { metadata: { namespace: string; name: string } }): string => `${t.metadata.namespace}/${t.metadata.name}`;

/** The Telemetries Istio applies to the pod, in application order, and the ones it skips. */
function layersFor(input: ResolveInput): { layers: Layer[]; ignored: Source[]; warnings: string[] } {
  const { pod, rootNamespace } = input;
  const layers: Layer[] = [];
  const ignored: Source[] = [];
  const warnings: string[] = [];
  const namespaceWide = (ns: string, scope: Source['scope']): void => {
    const wide = input.telemetries.filter((t) => t.metadata.namespace === ns && selectorOf(t) === undefined && !hasTargetRefs(t)).sort(byAge);
    if (wide[0] !== undefined) layers.push({ telemetry: wide[0], scope });
    for (const t of wide.slice(1)) ignored.push({ kind: 'Telemetry', ref: ref(t), scope, effect: 'ignored', note: `only the oldest namespace-wide Telemetry applies (${ref(wide[0]!)})` });
  };
  namespaceWide(rootNamespace, 'mesh');
  if (pod.namespace !== rootNamespace) namespaceWide(pod.namespace, 'namespace');
  const matching = input.telemetries.filter((t) => t.metadata.namespace === pod.namespace && !hasTargetRefs(t)
    && selectorOf(t) !== undefined && selects(selectorOf(t)!, pod.labels)).sort(byAge);
  for (const t of matching) {
    if (t.metadata.namespace === rootNamespace && pod.namespace === rootNamespace) {
      ignored.push({ kind: 'Telemetry', ref: ref(t), scope: 'workload', effect: 'ignored', note: 'selectors in the root namespace are ignored' });
    } else {
      layers.push({ telemetry: t, scope: 'workload' });
    }
  }
  if (layers.filter((l) => l.scope === 'workload').length > 1) {
    warnings.push(`${matching.map(ref).join(' and ')} all select this pod: Istio's behaviour is undefined (they are applied oldest first here)`);
  }
  return { layers, ignored, warnings };
}

function applyEntry(entry: TracingEntry, from: string, sides: { server: SideState; client: SideState }, warnings: string[]): void {
  const mode = entry.match?.mode ?? 'CLIENT_AND_SERVER';
  const targets = mode === 'CLIENT' ? [sides.client] : mode === 'SERVER' ? [sides.server] : [sides.client, sides.server];
  for (const side of targets) {
    if (entry.providers !== undefined && entry.providers[0] !== undefined) side.provider = entry.providers[0].name;
    // A later layer may switch reporting back on (false), so the last one that sets it wins.
    if (entry.disableSpanReporting !== undefined) Object.assign(side, { disabled: entry.disableSpanReporting, disabledFrom: from });
    if (entry.randomSamplingPercentage !== undefined) {
      const { value, outOfRange } = istioSamplingValue(entry.randomSamplingPercentage);
      if (outOfRange) warnings.push(`${from}: randomSamplingPercentage ${entry.randomSamplingPercentage} is outside 0–100 (Istio's validation refuses it; treated as ${value}%)`);
      side.percentage = value;
      side.pctFrom = from;
    }
  }
}

/** ProxyConfig sampling: the pod annotation over meshConfig.defaultConfig, then istiod's default. */
function proxyConfigSampling(input: ResolveInput, warnings: string[]): { value: number; from: string; kind: SourceKind; raw?: number } {
  const fromAnnotation = annotationSampling(input.pod.annotations[PROXY_CONFIG_ANNOTATION]);
  if (fromAnnotation.problem !== undefined) warnings.push(fromAnnotation.problem);
  // The annotation is merged over meshConfig.defaultConfig, so an annotation 0 replaces the mesh value; and
  // istiod reads a sampling of 0 as unset (proto3 doubles have no presence): PILOT_TRACE_SAMPLING decides.
  const raw = fromAnnotation.value ?? input.mesh.defaultSampling;
  if (raw === undefined || raw === 0) return { value: PILOT_TRACE_SAMPLING_DEFAULT, from: 'PILOT_TRACE_SAMPLING', kind: 'IstiodDefault' };
  const { value, outOfRange } = istioSamplingValue(raw);
  const from = fromAnnotation.value !== undefined ? `annotation ${PROXY_CONFIG_ANNOTATION}` : 'meshConfig.defaultConfig.tracing.sampling';
  if (outOfRange) warnings.push(`${from} is ${raw}: istiod turns values outside 0–100 into ${value}%, not 100%`);
  return { value, from, kind: fromAnnotation.value !== undefined ? 'ProxyConfigAnnotation' : 'MeshConfig', raw };
}

function valueNote(v: number): { note?: string } {
  if (v === 0) return { note: '0 means unset: istiod uses PILOT_TRACE_SAMPLING' };
  return istioSamplingValue(v).outOfRange ? { note: 'outside 0–100: istiod uses 1%' } : {};
}

function fallbackSources(input: ResolveInput, decidingFrom: string | undefined): Source[] {
  const out: Source[] = [];
  const effect = (ref: string): Effect => (decidingFrom === ref ? 'decides' : 'overridden');
  const annotation = annotationSampling(input.pod.annotations[PROXY_CONFIG_ANNOTATION]).value;
  if (annotation !== undefined) {
    const r = `annotation ${PROXY_CONFIG_ANNOTATION}`;
    out.push({ kind: 'ProxyConfigAnnotation', ref: r, scope: 'pod', percentage: annotation, effect: annotation === 0 ? 'ignored' : effect(r), ...valueNote(annotation) });
  }
  if (input.mesh.defaultSampling !== undefined) {
    const r = 'meshConfig.defaultConfig.tracing.sampling';
    out.push({ kind: 'MeshConfig', ref: r, scope: 'mesh', percentage: input.mesh.defaultSampling, effect: annotation !== undefined ? 'overridden' : input.mesh.defaultSampling === 0 ? 'ignored' : effect(r), ...valueNote(input.mesh.defaultSampling) });
  }
  out.push({ kind: 'IstiodDefault', ref: 'PILOT_TRACE_SAMPLING', scope: 'default', percentage: PILOT_TRACE_SAMPLING_DEFAULT, effect: effect('PILOT_TRACE_SAMPLING') });
  if (input.mesh.defaultTracingProvider !== undefined) {
    out.push({ kind: 'DefaultProvider', ref: 'meshConfig.defaultProviders.tracing', scope: 'mesh', provider: input.mesh.defaultTracingProvider, effect: 'via-telemetry', note: 'provider when no Telemetry names one' });
  }
  return out;
}

function telemetrySources(layers: readonly Layer[], decidingRefs: ReadonlySet<string>): Source[] {
  return layers.map(({ telemetry, scope }) => {
    const entry = telemetry.spec?.tracing?.[0];
    const percentage = telemetry.spec?.tracing?.find((e) => e.randomSamplingPercentage !== undefined)?.randomSamplingPercentage;
    const provider = entry?.providers?.[0]?.name;
    const owner = managingPolicy(telemetry);
    return {
      kind: 'Telemetry' as const, ref: ref(telemetry), scope,
      ...(percentage !== undefined ? { percentage } : {}), ...(provider !== undefined ? { provider } : {}),
      effect: decidingRefs.has(ref(telemetry)) ? 'decides' as const : 'overridden' as const,
      ...(owner !== undefined ? { note: `written by SamplingPolicy ${telemetry.metadata.namespace}/${owner}` } : {}),
    };
  }).reverse();
}

function policySources(input: ResolveInput): Source[] {
  return (input.policies ?? []).filter((p) => {
    const labels = p.spec.target?.matchLabels;
    if (p.metadata.namespace === input.rootNamespace) return labels === undefined;
    return p.metadata.namespace === input.pod.namespace && (labels === undefined || selects(labels, input.pod.labels));
  }).map((p) => ({
    kind: 'SamplingPolicy' as const, ref: `${p.metadata.namespace}/${p.metadata.name}`,
    scope: p.metadata.namespace === input.rootNamespace ? 'mesh' as const : p.spec.target?.matchLabels !== undefined ? 'workload' as const : 'namespace' as const,
    effect: 'via-telemetry' as const, note: p.status?.percentage !== undefined ? `resulting ${p.status.percentage}%` : 'acts through the Telemetry it writes',
  }));
}

/** The extension provider of that name; istiod matches names ignoring case (`fetchProvider`, strings.EqualFold). */
export function findProvider(mesh: MeshTracingConfig, name: string | undefined): ExtensionProvider | undefined {
  const wanted = name?.toLowerCase();
  return wanted === undefined ? undefined : mesh.extensionProviders.find((p) => p.name.toLowerCase() === wanted);
}

/** No Telemetry tracing entry and no default provider: istiod falls back to the pre-Telemetry tracing switch. */
function legacyTracing(input: ResolveInput, layers: readonly Layer[]): boolean {
  return input.mesh.enableTracing === true && input.mesh.defaultTracingProvider === undefined
    && layers.every(({ telemetry }) => (telemetry.spec?.tracing?.length ?? 0) === 0);
}

/** An unknown provider disables tracing, but only judged when the mesh config listed its providers. */
function providerMissing(mesh: MeshTracingConfig, provider: string | undefined): boolean {
  return provider !== undefined && mesh.extensionProviders.length > 0 && findProvider(mesh, provider) === undefined;
}

function sideResult(state: SideState, fallback: { value: number; from: string }, mesh: MeshTracingConfig, legacy: boolean): Side {
  const provider = state.provider ?? mesh.defaultTracingProvider;
  const tracingEnabled = legacy || (provider !== undefined && !providerMissing(mesh, provider) && state.disabled !== true);
  const pct = state.percentage !== undefined ? { percentage: state.percentage, decidedBy: state.pctFrom! } : { percentage: fallback.value, decidedBy: fallback.from };
  return { ...pct, provider, tracingEnabled, providerSampler: findProvider(mesh, provider)?.hasSampler === true };
}

function providerWarnings(input: ResolveInput, main: Side, mainState: SideState, legacy: boolean): string[] {
  const { provider } = main;
  if (legacy) return ['no tracing provider, but meshConfig.enableTracing is true: istiod traces the pre-Telemetry way (ProxyConfig sampling, the proxy\'s bootstrap tracer)'];
  if (provider === undefined) return ['no tracing provider: set meshConfig.defaultProviders.tracing or name one in a Telemetry; this pod is not traced'];
  if (providerMissing(input.mesh, provider)) return [`provider ${provider} is not in meshConfig.extensionProviders: istiod turns tracing off`];
  if (mainState.disabled === true) return [`${mainState.disabledFrom}: disableSpanReporting turns tracing off where traces start here (no spans, no trace headers injected)`];
  return [];
}

/** Resolves one pod's sampling exactly as istiod would configure its proxy. */
export function resolveSampling(input: ResolveInput): Resolution {
  const { layers, ignored, warnings } = layersFor(input);
  const sides = { server: {} as SideState, client: {} as SideState };
  for (const { telemetry } of layers) for (const entry of telemetry.spec?.tracing ?? []) applyEntry(entry, ref(telemetry), sides, warnings);
  const fallback = proxyConfigSampling(input, warnings);
  const legacy = legacyTracing(input, layers);
  const server = sideResult(sides.server, fallback, input.mesh, legacy);
  const client = sideResult(sides.client, fallback, input.mesh, legacy);
  const gateway = input.pod.gateway === true;
  const main = gateway ? client : server;
  const providerSpec = main.providerSampler === true ? findProvider(input.mesh, main.provider) : undefined;
  const chain: Source[] = [];
  if (providerSpec !== undefined) {
    chain.push({ kind: 'ProviderSampler', ref: `extensionProviders[${providerSpec.name}]`, scope: 'mesh', provider: providerSpec.name, effect: 'decides', note: 'the provider\'s own sampler overrides every percentage below' });
  }
  const decidingRefs = new Set([main.decidedBy]);
  chain.push(...policySources(input).filter((s) => s.scope === 'workload'), ...telemetrySources(layers, decidingRefs),
    ...policySources(input).filter((s) => s.scope !== 'workload'), ...ignored, ...fallbackSources(input, main.decidedBy));
  warnings.push(...providerWarnings(input, main, gateway ? sides.client : sides.server, legacy));
  return {
    percentage: main.percentage, decidedBy: providerSpec !== undefined ? `extensionProviders[${providerSpec.name}]` : main.decidedBy,
    server, client, provider: main.provider, tracingEnabled: main.tracingEnabled === true, chain, warnings,
  };
}
