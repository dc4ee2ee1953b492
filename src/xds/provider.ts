/**
 * The tracer an HCM reports through, read from `tracing.provider` (Envoy v3) or the bootstrap
 * `tracing.http` block (old Istio), in either `typed_config` (Any) or `config` (v2 Struct) form.
 * @see envoy/config/trace/v3/zipkin.proto, envoy/config/trace/v3/opentelemetry.proto
 */
import { boolField, field, isObject, messageNameOf, objectField, stringField, typeUrlOf } from './json.js';
import type { JsonObject } from './json.js';
import type { ProviderKind, TraceContextOption, TracingProvider } from './types.js';

/** `udpa.type.v1.TypedStruct` / `xds.type.v3.TypedStruct`: an Any carrying a Struct instead of bytes. */
const TYPED_STRUCT = /(^|\/)(udpa\.type\.v1|xds\.type\.v3)\.TypedStruct$/;

/** Zipkin `TraceContextOption` (field 8, added after the protos grpc-js-xds ships): 0 USE_B3, 1 USE_B3_WITH_W3C_PROPAGATION. */
function traceContextOptionOf(zipkin: JsonObject): TraceContextOption | undefined {
  const v = field(zipkin, 'trace_context_option');
  if (v === 'USE_B3_WITH_W3C_PROPAGATION' || v === 1) return 'USE_B3_WITH_W3C_PROPAGATION';
  if (v === 'USE_B3' || v === 0) return 'USE_B3';
  return undefined;
}

function kindOf(configType: string | undefined, name: string | undefined): ProviderKind {
  const t = configType ?? '';
  if (t.endsWith('.ZipkinConfig') || name === 'envoy.tracers.zipkin' || name === 'envoy.zipkin') return 'zipkin';
  if (t.endsWith('.OpenTelemetryConfig') || name === 'envoy.tracers.opentelemetry') return 'opentelemetry';
  return 'other';
}

/** The config message and its type of a provider (Any, TypedStruct or v2 Struct). */
export function typedConfigOf(holder: unknown): { config: JsonObject | undefined; typeUrl: string | undefined } {
  const typed = objectField(holder, 'typed_config');
  if (typed !== undefined) {
    const typeUrl = typeUrlOf(typed);
    if (typeUrl !== undefined && TYPED_STRUCT.test(messageNameOf(typeUrl))) {
      return { config: objectField(typed, 'value'), typeUrl: stringField(typed, 'type_url') };
    }
    return { config: typed, typeUrl };
  }
  return { config: objectField(holder, 'config'), typeUrl: undefined };
}

function zipkinDetails(config: JsonObject): Partial<TracingProvider> {
  const collectorService = objectField(objectField(config, 'collector_service'), 'http_uri');
  const traceContextOption = traceContextOptionOf(config);
  const shared = boolField(config, 'shared_span_context');
  return {
    collectorCluster: stringField(config, 'collector_cluster') ?? stringField(collectorService, 'cluster'),
    ...(shared === undefined ? {} : { sharedSpanContext: shared }),
    ...(traceContextOption === undefined ? {} : { traceContextOption }),
  };
}

function otelDetails(config: JsonObject): Partial<TracingProvider> {
  const grpcCluster = stringField(objectField(objectField(config, 'grpc_service'), 'envoy_grpc'), 'cluster_name');
  const httpCluster = stringField(objectField(objectField(config, 'http_service'), 'http_uri'), 'cluster');
  const sampler = stringField(objectField(config, 'sampler'), 'name');
  return { collectorCluster: grpcCluster ?? httpCluster, ...(sampler === undefined ? {} : { sampler }) };
}

/** Reads a provider (`{ name, typed_config | config }`); problems are reported with the given path. */
export function readProvider(provider: unknown, path: string, problems: string[]): TracingProvider | undefined {
  if (!isObject(provider)) return undefined;
  const name = stringField(provider, 'name');
  const { config, typeUrl } = typedConfigOf(provider);
  if (objectField(provider, 'typed_config') !== undefined && typeUrl === undefined) {
    problems.push(`${path}.typed_config: Any without @type (truncated or not protobuf JSON)`);
  }
  const configType = typeUrl === undefined ? undefined : messageNameOf(typeUrl);
  const kind = kindOf(configType, name);
  const details = config === undefined ? {} : kind === 'zipkin' ? zipkinDetails(config) : kind === 'opentelemetry' ? otelDetails(config) : {};
  return { kind, ...(name === undefined ? {} : { name }), ...(configType === undefined ? {} : { configType }), ...details };
}

/** The bootstrap's `tracing.http` tracer (Istio ≤ 1.9 put the tracer there, not in each HCM). */
export function bootstrapProvider(bootstrap: unknown, problems: string[]): TracingProvider | undefined {
  const http = objectField(objectField(bootstrap, 'tracing'), 'http');
  const p = readProvider(http, 'bootstrap.tracing.http', problems);
  return p === undefined ? undefined : { ...p, fromBootstrap: true };
}

