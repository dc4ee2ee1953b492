/**
 * Sampling drift per workload: what Istio was asked for (intended), what its Envoys run
 * (effective) and what reaches meshtrace (observed), side by side, with findings that say why
 * they differ. Pure: every input is data or an injected lookup.
 */
import type {
  DriftFinding, FamilyEvidence, HeaderEvidence, HeaderEvidenceResolver, IntendedResolver, IntendedSampling, MismatchEvidence,
  ObservedResolver, ObservedSampling, ProxyTracing, SideTracing, TracingProvider, WorkloadDrift, WorkloadRef, WorkloadTracing,
} from './types.js';

export interface DriftInputs {
  readonly intended?: IntendedResolver;
  readonly observed?: ObservedResolver;
  readonly headers?: HeaderEvidenceResolver;
}

/** Percentages closer than this are equal (Istio copies the double; only float noise differs). */
const EPSILON = 1e-6;
/** The audit's request-id estimate needs this many sampled ids before it is compared. */
export const MIN_OBSERVED_SAMPLES = 30;
/** Observed vs effective differ when apart by more than this share of the effective rate (the estimate is a maximum over n ids: ~10% low at n = 30). */
const OBSERVED_TOLERANCE = 0.25;
/** Sources Envoy only reads at pod start: ProxyConfig from meshConfig.defaultConfig or the `proxy.istio.io/config` annotation. */
const RESTART_SOURCES = new Set(['ProxyConfigAnnotation', 'MeshConfig']);

export function workloadRef(w: WorkloadTracing): WorkloadRef {
  const first = w.proxies[0]?.proxy;
  return { key: w.key, namespace: w.namespace, workload: w.workload, gateway: w.gateway, labels: first?.labels ?? {}, annotations: first?.annotations ?? {} };
}

function same(a: number, b: number): boolean {
  return Math.abs(a - b) < EPSILON;
}

function fmt(p: number | undefined): string {
  return p === undefined ? 'off' : `${Number(p.toFixed(4))}%`;
}

function decidingSource(intended: IntendedSampling): IntendedSampling['sources'][number] | undefined {
  return intended.sources.find((s) => s.effect === 'decides') ?? intended.sources[0];
}

function expectedFor(p: ProxyTracing, intended: IntendedSampling): number {
  return p.proxy.type === 'router' ? intended.client?.percentage ?? intended.percentage : intended.server?.percentage ?? intended.percentage;
}

function effectiveGroups(w: WorkloadTracing): WorkloadDrift['effective'] {
  const groups = new Map<string, { percentage: number | undefined; proxies: string[] }>();
  for (const p of w.proxies) {
    const k = fmt(p.percentage);
    const g = groups.get(k);
    if (g === undefined) groups.set(k, { percentage: p.percentage, proxies: [p.proxy.id] });
    else g.proxies.push(p.proxy.id);
  }
  return [...groups.values()];
}

function podsDisagree(w: WorkloadTracing, effective: WorkloadDrift['effective']): DriftFinding[] {
  const kinds = new Set(w.proxies.map((p) => p.provider?.kind ?? 'none'));
  if (effective.length < 2 && kinds.size < 2) return [];
  const rates = effective.map((g) => `${fmt(g.percentage)} (${g.proxies.length} pod${g.proxies.length === 1 ? '' : 's'})`).join(', ');
  const reason = effective.length > 1 ? `pods run different sampling rates: ${rates}` : `pods report through different providers: ${[...kinds].join(', ')}`;
  return [{ kind: 'pods-disagree', reason, proxies: w.proxies.map((p) => p.proxy.id) }];
}

/** A provider sampler (OpenTelemetry `sampler`) decides instead of `random_sampling`. */
function samplerOverrides(w: WorkloadTracing): DriftFinding[] {
  const withSampler = w.proxies.filter((p) => p.provider?.sampler !== undefined);
  if (withSampler.length === 0) return [];
  const sampler = withSampler[0]!.provider!.sampler!;
  return [{ kind: 'overridden', reason: `the provider's sampler ${sampler} decides; Envoy's random_sampling only feeds it every request`, proxies: withSampler.map((p) => p.proxy.id) }];
}

function staleReason(intended: IntendedSampling, stale: readonly ProxyTracing[]): { reason: string; restartRequired: boolean } {
  const source = decidingSource(intended);
  const restartRequired = source !== undefined && RESTART_SOURCES.has(source.kind);
  const running = [...new Set(stale.map((p) => fmt(p.percentage)))].join(', ');
  const asked = `asked for ${fmt(intended.percentage)}${source === undefined ? '' : ` by ${source.kind} ${source.ref}`} but ${running} is running`;
  if (restartRequired) return { reason: `${asked}: the value comes from ProxyConfig, which Envoy only reads at pod start; restart the pods`, restartRequired };
  const updated = stale.map((p) => p.lastUpdated).filter((t) => t !== undefined).sort()[0];
  return { reason: `${asked}: istiod has not pushed it yet or the proxy has not applied it${updated === undefined ? '' : ` (listeners last updated ${updated})`}`, restartRequired };
}

function staleProxies(w: WorkloadTracing, intended: IntendedSampling | undefined): DriftFinding[] {
  if (intended === undefined) return [];
  if (intended.tracingEnabled === false) {
    const tracing = w.proxies.filter((p) => p.percentage !== undefined);
    return tracing.length === 0 ? [] : [{ kind: 'stale-proxy', reason: 'tracing is turned off for this workload but these proxies still trace', proxies: tracing.map((p) => p.proxy.id), restartRequired: false }];
  }
  const stale = w.proxies.filter((p) => p.percentage !== undefined && p.provider?.sampler === undefined && !same(p.percentage, expectedFor(p, intended)));
  const wrongProvider = intended.providerKind === undefined ? [] : w.proxies.filter((p) => p.provider !== undefined && p.provider.kind !== intended.providerKind && !stale.includes(p));
  const findings: DriftFinding[] = [];
  if (stale.length > 0) findings.push({ kind: 'stale-proxy', ...staleReason(intended, stale), proxies: stale.map((p) => p.proxy.id) });
  if (wrongProvider.length > 0) {
    findings.push({ kind: 'stale-proxy', reason: `asked for provider ${intended.provider ?? intended.providerKind} but ${wrongProvider[0]!.provider!.kind} is running`, proxies: wrongProvider.map((p) => p.proxy.id), restartRequired: false });
  }
  return findings;
}

function tracingDisabled(w: WorkloadTracing, intended: IntendedSampling | undefined): DriftFinding[] {
  if (intended?.tracingEnabled === false) return [];
  // A side Istio was told to leave untraced (Telemetry match.mode + disableSpanReporting) is not a finding.
  const expectedOff = (side: string): boolean => (side === 'inbound' ? intended?.server : intended?.client)?.tracingEnabled === false;
  const offSides = (p: ProxyTracing): [string, SideTracing][] => Object.entries(p.sides).filter(([side, s]) => s.disabledHcms.length > 0 && !expectedOff(side));
  const affected = w.proxies.filter((p) => offSides(p).length > 0);
  if (affected.length === 0) return [];
  const lines = affected.flatMap((p) => offSides(p).map(([side, s]) => `${side} ${s.disabledHcms.length}/${s.disabledHcms.length + s.enabledHcms}`));
  const example = offSides(affected[0]!).flatMap(([, s]) => s.disabledHcms).slice(0, 3).join(', ');
  return [{ kind: 'tracing-disabled', reason: `HTTP listeners without tracing (no spans, no header injection on those hops): ${[...new Set(lines)].join(', ')}; e.g. ${example}`, proxies: affected.map((p) => p.proxy.id) }];
}

function upstreamOverride(w: WorkloadTracing, observed: ObservedSampling | undefined): DriftFinding[] {
  if (observed === undefined || observed.samples < MIN_OBSERVED_SAMPLES) return [];
  const rates = w.proxies.map((p) => p.percentage).filter((p) => p !== undefined);
  if (rates.length === 0) return [];
  const effective = Math.max(...rates);
  if (Math.abs(observed.percentage - effective) <= Math.max(OBSERVED_TOLERANCE * effective, 0.05)) return [];
  const who = w.gateway ? 'clients send requests with a sampling decision already made (x-b3-sampled, traceparent flags or x-request-id)' : 'requests arrive with a sampling decision made upstream, which Envoy respects';
  return [{ kind: 'overridden', reason: `observed ${fmt(observed.percentage)} (from ${observed.samples} request ids) vs ${fmt(effective)} configured here: ${who}`, proxies: [] }];
}

/** The provider that reads what the app sends out: its outbound HCMs', else the proxy's. */
function outboundProvider(p: ProxyTracing): TracingProvider | undefined {
  return p.hcms.find((h) => h.side === 'outbound' && h.enabled)?.provider ?? p.provider;
}

/**
 * Evidence for "apps send `foreign` headers instead of the provider's": the counts of the family
 * the provider never writes (Envoy's own family on the span is only what Envoy injected). Every
 * such header came from the app; where the proxy continued a context (`agreeing`, or `ignored`
 * on a span with a parent) the app also sent the provider's family. Undefined unless apps sent
 * the foreign family and never the provider's with it: then each of those requests started a
 * new trace at the proxy.
 */
function mismatchOf(e: FamilyEvidence, foreign: 'traceparent' | 'b3'): MismatchEvidence | undefined {
  const sent = e.ignored + e.agreeing;
  const withProvider = e.ignored - e.ignoredOnRoots + e.agreeing;
  if (sent === 0 || withProvider > 0) return undefined;
  return { foreign: { header: foreign, requests: sent }, provider: { header: foreign === 'b3' ? 'traceparent' : 'b3', requests: withProvider } };
}

function requests(n: number): string {
  return `${n} outbound request${n === 1 ? '' : 's'}`;
}

function providerMismatch(w: WorkloadTracing, evidence: HeaderEvidence | undefined): DriftFinding[] {
  if (evidence === undefined) return [];
  const findings: DriftFinding[] = [];
  // With USE_B3_WITH_W3C_PROPAGATION the Zipkin tracer falls back to traceparent: nothing to mismatch.
  const b3Only = w.proxies.filter((p) => { const v = outboundProvider(p); return v?.kind === 'zipkin' && v.traceContextOption !== 'USE_B3_WITH_W3C_PROPAGATION'; });
  const w3c = b3Only.length === 0 ? undefined : mismatchOf(evidence.traceparent, 'traceparent');
  if (w3c !== undefined) {
    findings.push({
      kind: 'provider-mismatch', headers: w3c, proxies: b3Only.map((p) => p.proxy.id),
      reason: `apps sent traceparent on ${requests(w3c.foreign.requests)} and B3 on none of them, so each started a new trace: the Zipkin provider reads only B3 headers; forward x-b3-* too, or set traceContextOption: USE_B3_WITH_W3C_PROPAGATION (Istio ≥ 1.28)`,
    });
  }
  const otel = w.proxies.filter((p) => outboundProvider(p)?.kind === 'opentelemetry');
  const b3 = otel.length === 0 ? undefined : mismatchOf(evidence.b3, 'b3');
  if (b3 !== undefined) {
    findings.push({
      kind: 'provider-mismatch', headers: b3, proxies: otel.map((p) => p.proxy.id),
      reason: `apps sent B3 on ${requests(b3.foreign.requests)} and traceparent on none of them, so each started a new trace: the OpenTelemetry provider reads only traceparent/tracestate; forward those`,
    });
  }
  return findings;
}

/** The drift report of one workload. */
export function workloadDrift(w: WorkloadTracing, inputs: DriftInputs): WorkloadDrift {
  const intended = inputs.intended?.(workloadRef(w));
  const observed = inputs.observed?.(w.key);
  const headers = inputs.headers?.(w.key);
  const effective = effectiveGroups(w);
  const findings = [
    ...staleProxies(w, intended), ...samplerOverrides(w), ...upstreamOverride(w, observed),
    ...tracingDisabled(w, intended), ...providerMismatch(w, headers), ...podsDisagree(w, effective),
  ];
  return { key: w.key, namespace: w.namespace, workload: w.workload, intended, effective, observed, ...(headers === undefined ? {} : { headers }), findings };
}

export function driftReport(workloads: readonly WorkloadTracing[], inputs: DriftInputs): WorkloadDrift[] {
  return workloads.map((w) => workloadDrift(w, inputs));
}
