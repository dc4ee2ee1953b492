/**
 * The tracing part of Istio's MeshConfig, read from the `mesh` key of the `istio` ConfigMap in
 * the root namespace (istio/api mesh/v1alpha1/config.proto). Only what sampling depends on.
 */
import yaml from 'js-yaml';

export const MESH_CONFIGMAP = 'istio';
export const MESH_CONFIGMAP_KEY = 'mesh';
/** istiod's PILOT_TRACE_SAMPLING default, used when nothing else sets a percentage. */
export const PILOT_TRACE_SAMPLING_DEFAULT = 1;
/** What istiod substitutes for a proxy-config sampling value outside 0–100. */
export const OUT_OF_RANGE_FALLBACK = 1;

export interface ExtensionProvider {
  readonly name: string;
  /** `zipkin`, `opentelemetry`, `datadog`, … (the provider's oneof key). */
  readonly kind: string;
  /** A provider-level sampler (e.g. opentelemetry `dynatraceSampler`) overrides every percentage. */
  readonly hasSampler: boolean;
}

export interface MeshTracingConfig {
  /** `meshConfig.defaultConfig.tracing.sampling`, as written (may be out of range). */
  readonly defaultSampling: number | undefined;
  readonly extensionProviders: readonly ExtensionProvider[];
  /** `meshConfig.defaultProviders.tracing[0]`. */
  readonly defaultTracingProvider: string | undefined;
  readonly enableTracing: boolean | undefined;
  /** Problems reading it: the controller reports them and carries on with what it could read. */
  readonly problems: readonly string[];
}

export const EMPTY_MESH_CONFIG: MeshTracingConfig = {
  defaultSampling: undefined, extensionProviders: [], defaultTracingProvider: undefined, enableTracing: undefined, problems: [],
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const SAMPLER_KEYS = ['dynatraceSampler', 'sampler'];

function providersOf(list: unknown, problems: string[]): ExtensionProvider[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) {
    problems.push('extensionProviders: expected a list');
    return [];
  }
  const out: ExtensionProvider[] = [];
  for (const [i, p] of list.entries()) {
    if (!isObj(p) || typeof p.name !== 'string') {
      problems.push(`extensionProviders[${i}]: missing name`);
      continue;
    }
    const kind = Object.keys(p).find((k) => k !== 'name') ?? 'unknown';
    const body = p[kind];
    out.push({ name: p.name, kind, hasSampler: isObj(body) && SAMPLER_KEYS.some((k) => body[k] !== undefined) });
  }
  return out;
}

function samplingOf(defaultConfig: unknown, problems: string[]): number | undefined {
  if (!isObj(defaultConfig) || !isObj(defaultConfig.tracing)) return undefined;
  const s = defaultConfig.tracing.sampling;
  if (s === undefined) return undefined;
  if (typeof s !== 'number') {
    problems.push(`defaultConfig.tracing.sampling: expected a number, got ${JSON.stringify(s)}`);
    return undefined;
  }
  return s;
}

/** Parses the `mesh` YAML; unreadable parts become problems, not exceptions. */
export function parseMeshConfig(text: string | undefined): MeshTracingConfig {
  if (text === undefined || text.trim() === '') return EMPTY_MESH_CONFIG;
  let doc: unknown;
  try {
    doc = yaml.load(text);
  } catch (err) {
    return { ...EMPTY_MESH_CONFIG, problems: [`mesh config is not YAML: ${(err as Error).message}`] };
  }
  if (!isObj(doc)) return { ...EMPTY_MESH_CONFIG, problems: ['mesh config: expected a YAML map'] };
  const problems: string[] = [];
  const defaults = isObj(doc.defaultProviders) && Array.isArray(doc.defaultProviders.tracing) ? doc.defaultProviders.tracing : [];
  const first: unknown = defaults[0];
  return {
    defaultSampling: samplingOf(doc.defaultConfig, problems),
    extensionProviders: providersOf(doc.extensionProviders, problems),
    defaultTracingProvider: typeof first === 'string' ? first : undefined,
    enableTracing: typeof doc.enableTracing === 'boolean' ? doc.enableTracing : undefined,
    problems,
  };
}

/**
 * istiod turns a proxy-config sampling value above 100 or below 0 into 1% rather than clamping it
 * (`proxyConfigSamplingValue`): a "200" meant as "everything" samples almost nothing.
 */
export function istioSamplingValue(v: number): { value: number; outOfRange: boolean } {
  return v < 0 || v > 100 ? { value: OUT_OF_RANGE_FALLBACK, outOfRange: true } : { value: v, outOfRange: false };
}

/** `tracing.sampling` from a pod's `proxy.istio.io/config` annotation (YAML or JSON ProxyConfig). */
export function annotationSampling(annotation: string | undefined): { value: number | undefined; problem?: string } {
  if (annotation === undefined) return { value: undefined };
  let doc: unknown;
  try {
    doc = yaml.load(annotation);
  } catch (err) {
    return { value: undefined, problem: `proxy.istio.io/config is not YAML: ${(err as Error).message}` };
  }
  if (!isObj(doc) || !isObj(doc.tracing) || doc.tracing.sampling === undefined) return { value: undefined };
  const s = doc.tracing.sampling;
  return typeof s === 'number' ? { value: s } : { value: undefined, problem: `proxy.istio.io/config tracing.sampling is not a number: ${JSON.stringify(s)}` };
}
