/** Fixture loading and a Listener factory for the xDS tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readConfigDump } from '../../src/xds/config-dump.js';
import { proxyTracing } from '../../src/xds/effective.js';
import type { IntendedInputs } from '../../src/xds/intended.js';
import { readIntendedFiles } from '../../src/xds/intended-files.js';
import type { ProxyTracing } from '../../src/xds/types.js';

export const FIXTURES = join(import.meta.dirname, 'fixtures');
/** The Telemetry resources and mesh config behind the fixture dumps (what Istio was asked for). */
export const TELEMETRY_FIXTURE = join(FIXTURES, 'telemetry.yaml');
export const MESH_CONFIG_FIXTURE = join(FIXTURES, 'mesh-config.yaml');

export async function fixtureIntendedInputs(): Promise<IntendedInputs> {
  return (await readIntendedFiles([TELEMETRY_FIXTURE], MESH_CONFIG_FIXTURE)).inputs;
}

export function fixtureJson(name: string): unknown {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
}

export function fixtureProxy(name: string): ProxyTracing {
  const r = readConfigDump(fixtureJson(name), name);
  if (!r.ok) throw new Error(r.error);
  return proxyTracing(r.value);
}

const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const ZIPKIN = 'type.googleapis.com/envoy.config.trace.v3.ZipkinConfig';

/** A sidecar inbound Listener in protobufjs object form (wrappers as `{ value }`), as istiod would push it. */
export function inboundListener(randomSampling: number | undefined, name = 'virtualInbound'): Record<string, unknown> {
  const tracing = randomSampling === undefined ? undefined : {
    client_sampling: { value: 100 }, random_sampling: { value: randomSampling }, overall_sampling: { value: 100 },
    max_path_tag_length: { value: 256 }, custom_tags: [{ tag: 'istio.canonical_service', literal: { value: 'reviews' } }],
    provider: { name: 'envoy.tracers.zipkin', typed_config: { '@type': ZIPKIN, collector_cluster: 'outbound|9411||zipkin.istio-system.svc.cluster.local', shared_span_context: { value: false }, collector_endpoint_version: 'HTTP_JSON', trace_context_option: 'USE_B3_WITH_W3C_PROPAGATION' } },
  };
  return {
    name, traffic_direction: 'INBOUND',
    filter_chains: [{ name: '0.0.0.0_9080', filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config: { '@type': HCM, stat_prefix: 'inbound_0.0.0.0_9080', ...(tracing === undefined ? {} : { tracing }) } }] }],
  };
}
