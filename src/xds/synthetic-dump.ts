/**
 * A generated Istio-like config dump of about the asked size (one sidecar with many outbound
 * listeners, clusters and routes), for the bench and the big-input tests.
 */
export function bigConfigDump(targetBytes: number): string {
  const hcm = (port: number, pct: number): unknown => ({
    name: 'envoy.filters.network.http_connection_manager',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
      stat_prefix: `outbound_0.0.0.0_${port}`, rds: { route_config_name: String(port), config_source: { ads: {} } },
      http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } }],
      tracing: {
        client_sampling: { value: 100 }, random_sampling: { value: pct }, overall_sampling: { value: 100 }, max_path_tag_length: 256,
        custom_tags: [{ tag: 'istio.canonical_service', literal: { value: 'big' } }, { tag: 'istio.namespace', literal: { value: 'default' } }],
        provider: { name: 'envoy.tracers.zipkin', typed_config: { '@type': 'type.googleapis.com/envoy.config.trace.v3.ZipkinConfig', collector_cluster: 'outbound|9411||zipkin.istio-system.svc.cluster.local', collector_endpoint: '/api/v2/spans', shared_span_context: false, collector_endpoint_version: 'HTTP_JSON' } },
      },
    },
  });
  const listener = (i: number): unknown => ({
    name: `0.0.0.0_${10000 + i}`,
    active_state: { version_info: 'v1', last_updated: '2024-06-03T09:12:44.870Z', listener: {
      '@type': 'type.googleapis.com/envoy.config.listener.v3.Listener', name: `0.0.0.0_${10000 + i}`, traffic_direction: 'OUTBOUND',
      address: { socket_address: { address: '0.0.0.0', port_value: 10000 + i } }, filter_chains: [{ filters: [hcm(10000 + i, 1)] }],
    } },
  });
  const cluster = (i: number): unknown => ({
    version_info: 'v1', last_updated: '2024-06-03T09:12:44.870Z',
    cluster: { '@type': 'type.googleapis.com/envoy.config.cluster.v3.Cluster', name: `outbound|8080||svc-${i}.ns-${i % 50}.svc.cluster.local`, type: 'EDS',
      eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' }, service_name: `outbound|8080||svc-${i}.ns-${i % 50}.svc.cluster.local` },
      connect_timeout: '10s', circuit_breakers: { thresholds: [{ max_connections: 4294967295, max_pending_requests: 4294967295, max_requests: 4294967295, max_retries: 4294967295 }] },
      metadata: { filter_metadata: { istio: { services: [{ host: `svc-${i}.ns-${i % 50}.svc.cluster.local`, name: `svc-${i}`, namespace: `ns-${i % 50}` }] } } } },
  });
  const node = { id: 'sidecar~10.0.0.1~big-1-abc-def.default~default.svc.cluster.local', metadata: { NAMESPACE: 'default', NAME: 'big-1-abc-def', LABELS: { app: 'big' }, ISTIO_VERSION: '1.22.3' } };
  const head = JSON.stringify({ configs: [{ '@type': 'type.googleapis.com/envoy.admin.v3.BootstrapConfigDump', bootstrap: { node } }] }).slice(0, -2);
  const listeners: string[] = [];
  const clusters: string[] = [];
  let size = head.length;
  for (let i = 0; size < targetBytes; i++) {
    const l = JSON.stringify(listener(i));
    const c = [0, 1, 2, 3, 4, 5].map((k) => JSON.stringify(cluster(i * 6 + k))).join(',');
    listeners.push(l);
    clusters.push(c);
    size += l.length + c.length + 2;
  }
  return `${head},{"@type":"type.googleapis.com/envoy.admin.v3.ListenersConfigDump","dynamic_listeners":[${listeners.join(',')}]},`
    + `{"@type":"type.googleapis.com/envoy.admin.v3.ClustersConfigDump","dynamic_active_clusters":[${clusters.join(',')}]}]}`;
}
