/**
 * What Istio was asked to run per workload (the drift report's "intended"), resolved by the
 * SamplingPolicy controller's precedence resolver (src/controller/precedence.ts), so the
 * controller, `kubectl meshtrace explain` and the drift report apply one set of Istio rules.
 * Only pure controller modules are imported here; reading Telemetries, SamplingPolicies and the
 * mesh config from somewhere is the caller's job (the CLI reads files, a server injects a snapshot).
 */
import type { MeshTracingConfig } from '../controller/mesh-config.js';
import type { SamplingPolicy } from '../controller/policy.js';
import { findProvider, resolveSampling } from '../controller/precedence.js';
import type { Resolution, Side } from '../controller/precedence.js';
import type { Telemetry } from '../controller/telemetry.js';
import type { IntendedSampling, IntendedSource, ProviderKind, WorkloadRef } from './types.js';

/** Istio's default `meshConfig.rootNamespace`. */
export const DEFAULT_ROOT_NAMESPACE = 'istio-system';

/** The configuration Istio's sampling is resolved from. */
export interface IntendedInputs {
  /** `meshConfig.rootNamespace`; default `istio-system`. */
  readonly rootNamespace?: string;
  readonly mesh: MeshTracingConfig;
  /** Telemetry resources of every namespace (sidecar ones: targetRefs are skipped by the resolver). */
  readonly telemetries: readonly Telemetry[];
  /** Listed among the sources; they act through the Telemetries the controller writes for them. */
  readonly policies?: readonly SamplingPolicy[];
}

/** A provider sampler makes istiod write random_sampling 100 so that every request reaches the sampler. */
const SAMPLER_RANDOM_SAMPLING = 100;

function providerKindOf(kind: string | undefined): ProviderKind | undefined {
  if (kind === undefined) return undefined;
  return kind === 'zipkin' || kind === 'opentelemetry' ? kind : 'other';
}

/** The random_sampling istiod writes into this side's listeners: what Envoy should run. */
function envoySide(side: Side): { readonly percentage: number; readonly tracingEnabled: boolean } {
  return { percentage: side.providerSampler === true ? SAMPLER_RANDOM_SAMPLING : side.percentage, tracingEnabled: side.tracingEnabled !== false };
}

function sourceOf(s: Resolution['chain'][number]): IntendedSource {
  return {
    kind: s.kind, ref: s.ref, effect: s.effect, scope: s.scope,
    ...(s.percentage === undefined ? {} : { percentage: s.percentage }),
    ...(s.provider === undefined ? {} : { provider: s.provider }),
    ...(s.note === undefined ? {} : { note: s.note }),
  };
}

/** The controller's resolution of one pod, in the drift report's terms. */
export function intendedFromResolution(r: Resolution, mesh: MeshTracingConfig, gateway: boolean): IntendedSampling {
  const server = envoySide(r.server);
  const client = envoySide(r.client);
  const providerKind = providerKindOf(findProvider(mesh, r.provider)?.kind);
  return {
    percentage: (gateway ? client : server).percentage, server, client,
    ...(r.provider === undefined ? {} : { provider: r.provider }),
    ...(providerKind === undefined ? {} : { providerKind }),
    tracingEnabled: r.tracingEnabled, sources: r.chain.map(sourceOf),
    ...(r.warnings.length === 0 ? {} : { warnings: r.warnings }),
  };
}

/** Resolves each workload from one of its pods' labels and annotations. */
export function intendedResolver(inputs: IntendedInputs): (workload: WorkloadRef) => IntendedSampling {
  const rootNamespace = inputs.rootNamespace ?? DEFAULT_ROOT_NAMESPACE;
  return (w: WorkloadRef): IntendedSampling => {
    const pod = { namespace: w.namespace, labels: w.labels, annotations: w.annotations, gateway: w.gateway };
    const r = resolveSampling({ rootNamespace, mesh: inputs.mesh, telemetries: inputs.telemetries, pod, ...(inputs.policies === undefined ? {} : { policies: inputs.policies }) });
    return intendedFromResolution(r, inputs.mesh, w.gateway);
  };
}
