/**
 * The vocabulary of `src/xds`: what one Envoy runs for tracing (effective), what Istio was asked
 * for (intended, from an injected resolver), what arrives at meshtrace (observed, from the audit),
 * and the drift findings between them. Percentages are always 0–100, as in Envoy's `Percent` and
 * Istio's `randomSamplingPercentage`.
 */
import type { SourceKind } from '../controller/precedence.js';

/** Which tracer an HCM reports through. `none`: tracing block without provider and no bootstrap tracer (Envoy's null tracer). */
export type ProviderKind = 'zipkin' | 'opentelemetry' | 'other' | 'none';

/** Istio's listener classes for tracing: inbound uses the SERVER spec, outbound and gateways the CLIENT spec (ENVOY-ISTIO.md §5.2). */
export type ListenerSide = 'inbound' | 'outbound' | 'gateway';

export type TraceContextOption = 'USE_B3' | 'USE_B3_WITH_W3C_PROPAGATION';

export interface TracingProvider {
  readonly kind: ProviderKind;
  /** Extension name, e.g. `envoy.tracers.zipkin`. */
  readonly name?: string;
  /** Message of the provider's typed config, e.g. `envoy.config.trace.v3.ZipkinConfig`. */
  readonly configType?: string;
  /** Zipkin `collector_cluster`, OpenTelemetry `grpc_service.envoy_grpc.cluster_name` or `http_service.http_uri.cluster`. */
  readonly collectorCluster?: string;
  /** Zipkin only; Envoy's default is true, Istio sets false. */
  readonly sharedSpanContext?: boolean;
  /** Zipkin only; absent means USE_B3 (B3 headers only). */
  readonly traceContextOption?: TraceContextOption;
  /** OpenTelemetry `sampler` extension name: when set, the sampler decides and `random_sampling` is forced to 100 by Istio. */
  readonly sampler?: string;
  /** Came from the bootstrap `tracing.http` block (old Istio), not from the HCM. */
  readonly fromBootstrap?: boolean;
}

export interface CustomTag {
  readonly tag: string;
  /** `literal`, `environment`, `request_header`, `metadata`, or `value` (formatter). */
  readonly type: string;
  readonly value?: string;
}

/** The tracing settings of one HttpConnectionManager (one listener filter chain). */
export interface HcmTracing {
  readonly listener: string;
  /** Filter chain name or index inside the listener. */
  readonly filterChain: string;
  readonly side: ListenerSide;
  /** The HCM has a `tracing` block and a tracer to report to. */
  readonly enabled: boolean;
  readonly provider: TracingProvider;
  /** Envoy `Percent`s as configured; undefined when absent (Envoy's default is 100). */
  readonly randomSampling: number | undefined;
  readonly clientSampling: number | undefined;
  readonly overallSampling: number | undefined;
  /** Share of requests without a prior decision that start a sampled trace here: random × overall / 100; undefined when disabled. */
  readonly percentage: number | undefined;
  readonly customTags: readonly CustomTag[];
  readonly spawnUpstreamSpan: boolean | undefined;
  readonly maxPathTagLength: number | undefined;
}

export interface ProxyIdentity {
  /** Envoy node id, `sidecar~10.1.2.3~pod.ns~ns.svc.cluster.local`. */
  readonly id: string;
  /** `router` for gateways. */
  readonly type: 'sidecar' | 'router' | 'unknown';
  readonly pod: string | undefined;
  readonly namespace: string;
  /** Canonical service (`service.istio.io/canonical-name`, else `app`, else the workload name). */
  readonly workload: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly istioVersion: string | undefined;
  readonly envoyVersion: string | undefined;
}

/** One side (inbound / outbound / gateway) of one proxy, summarised over its HTTP listeners. */
export interface SideTracing {
  /** Distinct percentages among enabled HCMs, ascending. */
  readonly percentages: readonly number[];
  readonly providers: readonly ProviderKind[];
  readonly enabledHcms: number;
  /** `listener#chain` of HTTP filter chains without tracing. */
  readonly disabledHcms: readonly string[];
}

/** What one Envoy runs. */
export interface ProxyTracing {
  readonly proxy: ProxyIdentity;
  /** Where it was read: a file path, `istiod-http`, `ads`. */
  readonly source: string;
  readonly sides: Partial<Readonly<Record<ListenerSide, SideTracing>>>;
  /** The side that decides traces starting at this proxy: inbound for sidecars, gateway (client) for gateways. */
  readonly percentage: number | undefined;
  readonly provider: TracingProvider | undefined;
  /** Newest `last_updated` among its dynamic listeners (ISO time), when the source says. */
  readonly lastUpdated: string | undefined;
  readonly versionInfo: string | undefined;
  readonly hcms: readonly HcmTracing[];
  /** Unreadable parts, with paths (`dynamic_listeners[3].…: unknown type URL …`). */
  readonly problems: readonly string[];
}

/** Pods grouped by `namespace/canonical service`, the key the propagation audit uses. */
export interface WorkloadTracing {
  readonly key: string;
  readonly namespace: string;
  readonly workload: string;
  readonly gateway: boolean;
  readonly proxies: readonly ProxyTracing[];
}

/** Istio's kinds of sampling sources: the SamplingPolicy controller's, whose resolver decides intended sampling. */
export type IntendedSourceKind = SourceKind;

export interface IntendedSource {
  readonly kind: IntendedSourceKind | (string & {});
  /** `namespace/name` for resources, a field path for configuration. */
  readonly ref: string;
  readonly percentage?: number;
  readonly provider?: string;
  /** `decides` marks the source whose value is in force; the first source is taken when none does. */
  readonly effect?: string;
  /** `mesh`, `namespace`, `workload`, `pod` or `default`. */
  readonly scope?: string;
  readonly note?: string;
}

/** What a resolver says a workload should run. */
export interface IntendedSampling {
  /** Inbound for sidecars, client side for gateways (what decides new traces). */
  readonly percentage: number;
  /** Per side when they differ (`match.mode`). */
  readonly server?: { readonly percentage: number; readonly tracingEnabled?: boolean };
  readonly client?: { readonly percentage: number; readonly tracingEnabled?: boolean };
  /** Provider name from meshConfig.extensionProviders, and its kind when the resolver knows it. */
  readonly provider?: string;
  readonly providerKind?: ProviderKind;
  readonly tracingEnabled?: boolean;
  /** Highest precedence first. */
  readonly sources: readonly IntendedSource[];
  /** Configuration Istio handles surprisingly here (two selectors on one workload, unknown provider, …). */
  readonly warnings?: readonly string[];
}

/** The workload handed to resolvers: identity plus one pod's labels and annotations. */
export interface WorkloadRef {
  readonly key: string;
  readonly namespace: string;
  readonly workload: string;
  readonly gateway: boolean;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export type IntendedResolver = (workload: WorkloadRef) => IntendedSampling | undefined;

/** The audit's estimate of the rate behind recorded requests (from Envoy request ids). */
export interface ObservedSampling {
  readonly percentage: number;
  /** Sampled request ids the estimate rests on. */
  readonly samples: number;
}

export type ObservedResolver = (workloadKey: string) => ObservedSampling | undefined;

/**
 * One trace-context family as a workload's apps sent it on outbound requests, in counts of
 * requests, read from header custom tags on its sidecars' outbound CLIENT spans (see
 * `header-evidence.ts`). Provider-neutral: which family is the provider's own, and so
 * meaningless here (Envoy wrote it), is for drift to say.
 */
export interface FamilyEvidence {
  /** The header named another trace than the proxy's span: the app sent it and the proxy did not continue it. */
  readonly ignored: number;
  /** Of `ignored`, requests whose span is a root: the proxy found no context it reads and started a new trace. */
  readonly ignoredOnRoots: number;
  /**
   * The header named the span's own trace with another span id than Envoy's: the app's context is
   * the one the proxy continued. (`x-b3-traceid` alone has no span id: on a Zipkin proxy its
   * injection lands here, which is why drift reads only the family the provider never writes.)
   */
  readonly agreeing: number;
}

/** Header evidence of one workload over the recent window. */
export interface HeaderEvidence {
  /** `b3`, else `x-b3-traceid`. */
  readonly b3: FamilyEvidence;
  readonly traceparent: FamilyEvidence;
}

export type HeaderEvidenceResolver = (workloadKey: string) => HeaderEvidence | undefined;

/** What a `provider-mismatch` finding rests on, in outbound requests that carried the other family's header. */
export interface MismatchEvidence {
  /** Requests on which apps sent the header family the provider does not read. */
  readonly foreign: { readonly header: 'traceparent' | 'b3'; readonly requests: number };
  /** Of those, requests on which they also sent the provider's family (the proxy continued the app's context). */
  readonly provider: { readonly header: 'traceparent' | 'b3'; readonly requests: number };
}

export type DriftKind = 'stale-proxy' | 'overridden' | 'tracing-disabled' | 'provider-mismatch' | 'pods-disagree';

export interface DriftFinding {
  readonly kind: DriftKind;
  readonly reason: string;
  /** Node ids concerned; empty when it is about the whole workload. */
  readonly proxies: readonly string[];
  /** `stale-proxy` only: the fix is a pod restart (value from meshConfig.defaultConfig or an annotation). */
  readonly restartRequired?: boolean;
  /** `provider-mismatch` only: the header counts behind it. */
  readonly headers?: MismatchEvidence;
}

export interface WorkloadDrift {
  readonly key: string;
  readonly namespace: string;
  readonly workload: string;
  readonly intended: IntendedSampling | undefined;
  /** Distinct effective percentages over its pods (undefined entries mean tracing off). */
  readonly effective: readonly { readonly percentage: number | undefined; readonly proxies: readonly string[] }[];
  readonly observed: ObservedSampling | undefined;
  /** Trace headers its apps were seen sending (undefined: no header custom tags seen recently). */
  readonly headers?: HeaderEvidence;
  readonly findings: readonly DriftFinding[];
}
