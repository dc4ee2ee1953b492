/**
 * Envoy's xDS and admin protobuf types, loaded lazily and once from the `.proto` files that
 * `@grpc/grpc-js-xds` ships (deps/envoy-api, deps/xds, deps/googleapis, deps/protoc-gen-validate),
 * with protobufjs's bundled `google/protobuf` files for descriptor.proto. Loading takes ~0.3 s, so
 * nothing pays it until an ADS stream or a binary Any needs it. Field names keep their proto
 * spelling (snake_case), the same keys Envoy's admin JSON uses, so one reader serves both.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join } from 'node:path';
import protobuf from 'protobufjs';

const ENTRY_FILES = [
  'envoy/service/discovery/v3/discovery.proto',
  'envoy/admin/v3/config_dump.proto',
  'envoy/config/listener/v3/listener.proto',
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  'envoy/config/trace/v3/zipkin.proto',
  'envoy/config/trace/v3/opentelemetry.proto',
  'envoy/service/status/v3/csds.proto',
];

export const DISCOVERY_REQUEST = 'envoy.service.discovery.v3.DiscoveryRequest';
export const DISCOVERY_RESPONSE = 'envoy.service.discovery.v3.DiscoveryResponse';
export const ADS_METHOD = '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources';

function includeDirs(): string[] {
  const require = createRequire(import.meta.url);
  const xdsDeps = join(dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');
  const protobufjsDir = dirname(require.resolve('protobufjs/package.json'));
  return [...['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) => join(xdsDeps, d)), protobufjsDir];
}

/**
 * Fields newer than the protos grpc-js-xds ships, written from the published field numbers
 * (envoy/config/trace/v3/zipkin.proto): without them a decoder drops what Istio ≥ 1.28/1.29 sends.
 */
function addNewerFields(root: protobuf.Root): void {
  const zipkin = root.lookupType('envoy.config.trace.v3.ZipkinConfig');
  if (zipkin.fields['trace_context_option'] === undefined) {
    zipkin.add(new protobuf.Enum('TraceContextOption', { USE_B3: 0, USE_B3_WITH_W3C_PROPAGATION: 1 }));
    zipkin.add(new protobuf.Field('trace_context_option', 8, 'TraceContextOption'));
  }
  if (zipkin.fields['collector_service'] === undefined) {
    zipkin.add(new protobuf.Field('collector_service', 9, '.envoy.config.core.v3.HttpService'));
  }
}

function loadRoot(): protobuf.Root {
  const dirs = includeDirs();
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => {
    if (isAbsolute(target)) return target;
    return dirs.map((d) => join(d, target)).find((p) => existsSync(p)) ?? target;
  };
  root.loadSync([...ENTRY_FILES, 'envoy/config/core/v3/http_service.proto'], { keepCase: true });
  addNewerFields(root);
  root.resolveAll();
  return root;
}

let cached: protobuf.Root | undefined;

/** The shared Root; the first call loads it. */
export function xdsRoot(): protobuf.Root {
  cached ??= loadRoot();
  return cached;
}

export function xdsType(name: string): protobuf.Type {
  return xdsRoot().lookupType(name);
}
