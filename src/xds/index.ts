/** xDS: the tracing configuration each sidecar received, and sampling drift. */
export { AdsWatcher } from './ads-client.js';
export type { AdsStatus, AdsUpdate, AdsWatcherOptions, XdsNode } from './ads-client.js';
export { LISTENER_TYPE_URL, decodeAny, decodeDiscoveryResponse, decodeResources } from './ads-resources.js';
export { readConfigDump } from './config-dump.js';
export type { DumpResult, ListenerEntry, ProxyConfig } from './config-dump.js';
export { driftReport, workloadDrift, workloadRef, MIN_OBSERVED_SAMPLES } from './drift.js';
export type { DriftInputs } from './drift.js';
export { HEADER_TAGS, classifySpan } from './header-evidence.js';
export type { HeaderVerdict, SpanHeaders } from './header-evidence.js';
export { HeaderTally } from './header-tally.js';
export type { HeaderTallyOptions, HeaderTallyStats } from './header-tally.js';
export { groupWorkloads, proxyTracing, proxyTracingInSlices, workloadKeyOf } from './effective.js';
export { bigConfigDump } from './synthetic-dump.js';
export { tracingFactsFrom, tracingFactsOf } from './facts.js';
export type { TracingFacts } from './facts.js';
export { DEFAULT_ROOT_NAMESPACE, intendedResolver } from './intended.js';
export type { IntendedInputs } from './intended.js';
export { readIntendedFiles } from './intended-files.js';
export type { IntendedFiles } from './intended-files.js';
export { watchIntendedFiles } from './intended-watch.js';
export type { IntendedWatch } from './intended-watch.js';
export { fetchProxyConfigDump, fetchSyncz, parseSyncz } from './istiod-http.js';
export type { IstiodHttpOptions, ProxySyncStatus } from './istiod-http.js';
export { DEFAULT_MAX_DUMP_BYTES, parseDumpBytes, readDumpFile } from './load-dump.js';
export type { DumpLimits } from './load-dump.js';
export { adsProxyConfig, startXdsSources } from './sources.js';
export type { RunningXdsSources, XdsSourcesOptions } from './sources.js';
export { XdsState } from './state.js';
export type {
  CustomTag, DriftFinding, DriftKind, FamilyEvidence, HcmTracing, HeaderEvidence, HeaderEvidenceResolver, IntendedResolver, IntendedSampling,
  IntendedSource, IntendedSourceKind, ListenerSide, MismatchEvidence, ObservedResolver, ObservedSampling, ProviderKind, ProxyIdentity, ProxyTracing,
  SideTracing, TraceContextOption, TracingProvider, WorkloadDrift, WorkloadRef, WorkloadTracing,
} from './types.js';
