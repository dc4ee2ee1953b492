/**
 * Every `meshtrace serve` setting in one table: flag, environment variable, type, default and
 * help text. The flag parser, the env reader and `--help` are all generated from it, so they
 * cannot disagree.
 */
import { DEFAULT_REDACT_PATTERNS } from '../ingest/redact.js';

export type OptionType = 'port' | 'string' | 'count' | 'duration' | 'size' | 'level' | 'boolean';

export interface OptionSpec {
  readonly flag: string;
  readonly type: OptionType;
  readonly default: string;
  readonly help: string;
}

export const SERVE_OPTIONS = {
  host: { flag: 'host', type: 'string', default: '0.0.0.0', help: 'address every listener binds to' },
  zipkinPort: { flag: 'zipkin-port', type: 'port', default: '9411', help: 'Zipkin ingest (POST /api/v2/spans) and Zipkin read API' },
  otlpGrpcPort: { flag: 'otlp-grpc-port', type: 'port', default: '4317', help: 'OTLP/gRPC TraceService' },
  otlpHttpPort: { flag: 'otlp-http-port', type: 'port', default: '4318', help: 'OTLP/HTTP POST /v1/traces (protobuf and JSON)' },
  httpPort: { flag: 'http-port', type: 'port', default: '8080', help: 'meshtrace API, /healthz and /readyz' },
  logLevel: { flag: 'log-level', type: 'level', default: 'info', help: 'fatal, error, warn, info, debug or trace' },
  maxBodySize: { flag: 'max-body-size', type: 'size', default: '5MiB', help: 'largest ingest request body, also after gzip inflation (413 beyond)' },
  maxSpansPerBatch: { flag: 'max-spans-per-batch', type: 'count', default: '10000', help: 'most spans in one ingest request (413 beyond)' },
  maxTagsPerSpan: { flag: 'max-tags-per-span', type: 'count', default: '128', help: 'tags kept per span; extra tags are dropped and counted' },
  maxTagValueLength: { flag: 'max-tag-value-length', type: 'count', default: '4096', help: 'longest tag value kept; longer values are truncated' },
  maxEventsPerSpan: { flag: 'max-events-per-span', type: 'count', default: '128', help: 'annotations/events and links kept per span' },
  settlePeriod: { flag: 'settle-period', type: 'duration', default: '10s', help: 'quiet time after a trace\'s last span before it settles' },
  maxTraceAge: { flag: 'max-trace-age', type: 'duration', default: '60s', help: 'a trace settles at this age even if spans keep coming' },
  maxBufferedSpans: { flag: 'max-buffered-spans', type: 'count', default: '200000', help: 'unsettled spans held; ingest answers 429 beyond' },
  retention: { flag: 'retention', type: 'duration', default: '1h', help: 'how long settled traces are kept' },
  maxStoredSpans: { flag: 'max-stored-spans', type: 'count', default: '1000000', help: 'settled spans kept; the oldest traces are evicted beyond' },
  audit: { flag: 'audit', type: 'boolean', default: 'true', help: 'run the propagation audit; false makes meshtrace a plain trace collector (no propagation report), without the audit\'s CPU and memory' },
  auditWindow: { flag: 'audit-window', type: 'duration', default: '15m', help: 'default time window of the propagation report' },
  auditMinRequests: { flag: 'audit-min-requests', type: 'count', default: '200', help: 'sampled inbound requests a workload needs before it gets a verdict' },
  auditMaxObservations: { flag: 'audit-max-observations', type: 'count', default: '1000000', help: 'request windows and root calls the audit holds; the oldest seconds are dropped beyond' },
  authToken: { flag: 'auth-token', type: 'string', default: '', help: 'require this bearer token on the dashboard and read APIs (prefer the env variable: flags show in ps)' },
  authBasic: { flag: 'auth-basic', type: 'string', default: '', help: 'require HTTP basic auth, as user:password, on the dashboard and read APIs (env preferred)' },
  redactTagKeys: { flag: 'redact-tag-keys', type: 'string', default: DEFAULT_REDACT_PATTERNS.join(','), help: 'comma-separated case-insensitive regexes; matching tag values are redacted at ingest (authorization, cookie and URL query secrets always are)' },
  metricsMaxWorkloads: { flag: 'metrics-max-workloads', type: 'count', default: '200', help: 'workloads (worst first) with per-workload series on /metrics; edges get twice as many' },
  xdsConfigDump: { flag: 'xds-config-dump', type: 'string', default: '', help: 'comma-separated Envoy config_dump files (what proxies run); re-read every --xds-refresh' },
  xdsIstiodUrl: { flag: 'xds-istiod-url', type: 'string', default: '', help: 'istiod monitoring URL (e.g. http://istiod.istio-system:15014) polled for sync status and per-proxy config' },
  xdsAdsTarget: { flag: 'xds-ads-target', type: 'string', default: '', help: 'istiod xDS host:port (e.g. istiod.istio-system:15010) to watch listeners over gRPC' },
  xdsAdsProxies: { flag: 'xds-ads-proxies', type: 'string', default: '', help: 'comma-separated proxy node ids to watch over ADS' },
  xdsTelemetry: { flag: 'xds-telemetry', type: 'string', default: '', help: 'comma-separated YAML files of Telemetry resources and SamplingPolicies: the intended sampling drift compares with; re-read every --xds-refresh' },
  xdsMeshConfig: { flag: 'xds-mesh-config', type: 'string', default: '', help: 'the mesh config (or the istio ConfigMap) as YAML, for intended sampling; re-read every --xds-refresh' },
  xdsRefresh: { flag: 'xds-refresh', type: 'duration', default: '30s', help: 'how often config dumps and istiod are re-read' },
  xdsMaxDumpSize: { flag: 'xds-max-dump-size', type: 'size', default: '32MiB', help: 'largest config dump read; bigger ones are refused with an error' },
  shutdownTimeout: { flag: 'shutdown-timeout', type: 'duration', default: '10s', help: 'how long SIGTERM waits for in-flight requests' },
} as const satisfies Record<string, OptionSpec>;

export type ServeOptionName = keyof typeof SERVE_OPTIONS;

/** `--zipkin-port` → `MESHTRACE_ZIPKIN_PORT`. */
export function envName(flag: string): string {
  return 'MESHTRACE_' + flag.toUpperCase().replace(/-/g, '_');
}
