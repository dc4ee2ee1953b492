/**
 * A minimal standalone resolver of Istio's intended sampling: Telemetry resources plus mesh
 * config, for offline use (`meshtrace xds inspect --telemetry … --mesh-config …`) and tests. In a
 * cluster, the SamplingPolicy controller's precedence resolver (src/controller/precedence.ts) is the
 * one to inject: it also knows SamplingPolicies and explains every source. This fallback follows
 * the same rules (istio/istio pilot/pkg/model/telemetry.go, networking/core/tracing.go):
 * - layers: root namespace (oldest selector-less) → workload namespace (oldest selector-less) →
 *   Telemetries whose selector matches (selectors in the root namespace are ignored);
 * - each `tracing[]` entry overwrites the fields it sets, for CLIENT, SERVER or both sides;
 * - percentage: provider sampler > Telemetry > ProxyConfig (annotation over meshConfig.defaultConfig)
 *   > PILOT_TRACE_SAMPLING (default 1); ProxyConfig values outside 0–100 become 1;
 * - provider: the last one a Telemetry names, else meshConfig.defaultProviders.tracing[0]; none → off.
 */
import { load } from 'js-yaml';
import { isObject, numberField, objectField } from './json.js';
import type { IntendedSampling, IntendedSource, ProviderKind, WorkloadRef } from './types.js';

export interface TelemetryResource {
  readonly metadata: { readonly namespace: string; readonly name: string; readonly creationTimestamp?: string };
  readonly spec?: {
    readonly selector?: { readonly matchLabels?: Readonly<Record<string, string>> };
    readonly targetRefs?: readonly unknown[];
    readonly tracing?: readonly {
      readonly match?: { readonly mode?: 'CLIENT_AND_SERVER' | 'CLIENT' | 'SERVER' };
      readonly providers?: readonly { readonly name: string }[];
      readonly randomSamplingPercentage?: number;
      readonly disableSpanReporting?: boolean;
    }[];
  };
}

export interface ExtensionProvider {
  readonly name: string;
  readonly zipkin?: unknown;
  readonly opentelemetry?: { readonly dynatraceSampler?: unknown } & Readonly<Record<string, unknown>>;
  readonly [other: string]: unknown;
}

export interface MeshTracingInput {
  /** Default `istio-system`. */
  readonly rootNamespace?: string;
  readonly defaultProviders?: { readonly tracing?: readonly string[] };
  readonly extensionProviders?: readonly ExtensionProvider[];
  readonly defaultConfig?: { readonly tracing?: { readonly sampling?: number } };
  /** istiod's PILOT_TRACE_SAMPLING; default 1. */
  readonly pilotTraceSampling?: number;
  /** Legacy (pre-Telemetry) switch: tracing through the bootstrap tracer with no provider named. */
  readonly enableTracing?: boolean;
}

const PROXY_CONFIG_ANNOTATION = 'proxy.istio.io/config';
const DEFAULT_PILOT_TRACE_SAMPLING = 1;

interface SideState { provider?: string; providerFrom?: string; percentage?: number; percentageFrom?: string; disabled?: boolean }

const ref = (t: TelemetryResource): string => `${t.metadata.namespace}/${t.metadata.name}`;
const oldestFirst = (a: TelemetryResource, b: TelemetryResource): number =>
  (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || a.metadata.name.localeCompare(b.metadata.name);

function selectorOf(t: TelemetryResource): Readonly<Record<string, string>> | undefined {
  const labels = t.spec?.selector?.matchLabels;
  return labels !== undefined && Object.keys(labels).length > 0 ? labels : undefined;
}

function layers(telemetries: readonly TelemetryResource[], w: WorkloadRef, rootNamespace: string): TelemetryResource[] {
  const sidecarScoped = telemetries.filter((t) => (t.spec?.targetRefs?.length ?? 0) === 0).sort(oldestFirst);
  const namespaceWide = (ns: string): TelemetryResource[] => sidecarScoped.filter((t) => t.metadata.namespace === ns && selectorOf(t) === undefined).slice(0, 1);
  const selecting = w.namespace === rootNamespace ? [] : sidecarScoped.filter((t) => {
    const sel = selectorOf(t);
    return t.metadata.namespace === w.namespace && sel !== undefined && Object.entries(sel).every(([k, v]) => w.labels[k] === v);
  });
  return [...namespaceWide(rootNamespace), ...(w.namespace === rootNamespace ? [] : namespaceWide(w.namespace)), ...selecting];
}

function applyTelemetries(list: readonly TelemetryResource[]): { server: SideState; client: SideState } {
  const server: SideState = {};
  const client: SideState = {};
  for (const t of list) {
    for (const entry of t.spec?.tracing ?? []) {
      const mode = entry.match?.mode ?? 'CLIENT_AND_SERVER';
      const sides = mode === 'CLIENT' ? [client] : mode === 'SERVER' ? [server] : [client, server];
      for (const s of sides) {
        const provider = entry.providers?.[0]?.name;
        if (provider !== undefined) Object.assign(s, { provider, providerFrom: ref(t) });
        if (entry.randomSamplingPercentage !== undefined) Object.assign(s, { percentage: entry.randomSamplingPercentage, percentageFrom: ref(t) });
        if (entry.disableSpanReporting !== undefined) s.disabled = entry.disableSpanReporting;
      }
    }
  }
  return { server, client };
}

/** `tracing.sampling` of the pod's `proxy.istio.io/config` annotation (YAML or JSON), if set. */
export function annotationSampling(annotations: Readonly<Record<string, string>>): number | undefined {
  const raw = annotations[PROXY_CONFIG_ANNOTATION];
  if (raw === undefined) return undefined;
  try {
    const parsed: unknown = load(raw);
    return isObject(parsed) ? numberField(objectField(parsed, 'tracing'), 'sampling') : undefined;
  } catch {
    return undefined;
  }
}

/** Istio ignores a ProxyConfig sampling of 0 (unset) and turns values above 100 or below 0 into 1. */
function proxyConfigValue(v: number | undefined): number | undefined {
  if (v === undefined || v === 0) return undefined;
  return v < 0 || v > 100 ? 1 : v;
}

function providerKindOf(p: ExtensionProvider | undefined): ProviderKind | undefined {
  if (p === undefined) return undefined;
  return p.zipkin !== undefined ? 'zipkin' : p.opentelemetry !== undefined ? 'opentelemetry' : 'other';
}

interface SideResult { readonly percentage: number; readonly sources: IntendedSource[]; readonly enabled: boolean; readonly provider: string | undefined }

/** Every setting that could give the percentage, highest precedence first. */
function candidatesFor(s: SideState, ext: ExtensionProvider | undefined, mesh: MeshTracingInput, w: WorkloadRef): IntendedSource[] {
  const candidates: IntendedSource[] = [];
  if (ext?.opentelemetry?.dynatraceSampler !== undefined) candidates.push({ kind: 'ProviderSampler', ref: `meshConfig.extensionProviders[${ext.name}]`, percentage: 100 });
  if (s.percentage !== undefined) candidates.push({ kind: 'Telemetry', ref: s.percentageFrom ?? '', percentage: s.percentage });
  const annotation = proxyConfigValue(annotationSampling(w.annotations));
  if (annotation !== undefined) candidates.push({ kind: 'ProxyConfigAnnotation', ref: `pod annotation ${PROXY_CONFIG_ANNOTATION}`, percentage: annotation });
  const meshDefault = proxyConfigValue(mesh.defaultConfig?.tracing?.sampling);
  if (meshDefault !== undefined) candidates.push({ kind: 'MeshConfig', ref: 'meshConfig.defaultConfig.tracing.sampling', percentage: meshDefault });
  const pilot = mesh.pilotTraceSampling ?? DEFAULT_PILOT_TRACE_SAMPLING;
  candidates.push({ kind: 'IstiodDefault', ref: 'PILOT_TRACE_SAMPLING', percentage: pilot < 0 || pilot > 100 ? 1 : pilot });
  return candidates;
}

function resolveSide(s: SideState, mesh: MeshTracingInput, w: WorkloadRef): SideResult {
  const provider = s.provider ?? mesh.defaultProviders?.tracing?.[0];
  const ext = mesh.extensionProviders?.find((p) => p.name === provider);
  const sources = candidatesFor(s, ext, mesh, w).map((c, i): IntendedSource => ({ ...c, effect: i === 0 ? 'decides' : 'overridden' }));
  const enabled = (provider !== undefined || mesh.enableTracing === true) && s.disabled !== true;
  return { percentage: sources[0]!.percentage!, sources, enabled, provider };
}

/** The fallback resolver over the given Telemetries and mesh config. */
export function telemetryResolver(telemetries: readonly TelemetryResource[], mesh: MeshTracingInput): (workload: WorkloadRef) => IntendedSampling {
  const rootNamespace = mesh.rootNamespace ?? 'istio-system';
  return (w: WorkloadRef): IntendedSampling => {
    const { server, client } = applyTelemetries(layers(telemetries, w, rootNamespace));
    const srv = resolveSide(server, mesh, w);
    const cli = resolveSide(client, mesh, w);
    const deciding = w.gateway ? cli : srv;
    const providerKind = providerKindOf(mesh.extensionProviders?.find((p) => p.name === deciding.provider));
    return {
      percentage: deciding.percentage,
      server: { percentage: srv.percentage, tracingEnabled: srv.enabled }, client: { percentage: cli.percentage, tracingEnabled: cli.enabled },
      ...(deciding.provider === undefined ? {} : { provider: deciding.provider }),
      ...(providerKind === undefined ? {} : { providerKind }),
      tracingEnabled: deciding.enabled, sources: deciding.sources,
    };
  };
}
