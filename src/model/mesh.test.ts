import { describe, expect, it } from 'vitest';
import { Interner } from './intern.js';
import { deriveMeshIdentity, parseNodeId } from './mesh.js';
import { TagPacker } from './tags.js';
import type { TagGroup } from './tags.js';
import type { SpanKind } from './span.js';

function group(tags: Record<string, string>): TagGroup {
  const packer = new TagPacker(new Interner());
  packer.begin();
  for (const [k, v] of Object.entries(tags)) packer.add(k, v);
  return packer.finish().group;
}

const SLEEP_NODE = 'sidecar~192.168.82.49~sleep-58f5c6b977-tbpz6.default~default.svc.cluster.local';

describe('mesh identity', () => {
  it('parses node ids', () => {
    expect(parseNodeId(SLEEP_NODE)).toEqual({ type: 'sidecar', ip: '192.168.82.49', pod: 'sleep-58f5c6b977-tbpz6', namespace: 'default' });
    expect(parseNodeId('not-a-node-id')).toBeUndefined();
  });

  it.each<[string, Record<string, string>, SpanKind | undefined, string]>([
    ['outbound cluster', { upstream_cluster: 'outbound|8000||httpbin.default.svc.cluster.local', node_id: SLEEP_NODE }, 'CLIENT', 'sidecar-outbound'],
    ['inbound cluster', { upstream_cluster: 'inbound|80||', node_id: SLEEP_NODE }, 'SERVER', 'sidecar-inbound'],
    // Envoy < 1.16 with shared_span_context=false reported inbound spans as CLIENT.
    ['old Envoy inbound CLIENT', { upstream_cluster: 'inbound|80||', node_id: SLEEP_NODE }, 'CLIENT', 'sidecar-inbound'],
    ['passthrough', { upstream_cluster: 'PassthroughCluster', component: 'proxy' }, 'CLIENT', 'sidecar-outbound'],
    ['gateway', { upstream_cluster: 'outbound|80||server.ns.svc.cluster.local', node_id: 'router~10.0.0.9~istio-ingressgateway-abc.istio-system~istio-system.svc.cluster.local' }, 'CLIENT', 'gateway'],
    ['kind fallback', { component: 'proxy' }, 'SERVER', 'sidecar-inbound'],
  ])('derives the role from %s', (_name, tags, kind, role) => {
    expect(deriveMeshIdentity(group(tags), kind, undefined)?.role).toBe(role);
  });

  it('reads the Istio identity tags', () => {
    const id = deriveMeshIdentity(group({
      node_id: SLEEP_NODE, upstream_cluster: 'outbound|8000||httpbin.default.svc.cluster.local',
      'istio.canonical_service': 'sleep', 'istio.canonical_revision': 'latest', 'istio.namespace': 'default',
      'istio.mesh_id': 'cluster.local', 'istio.cluster_id': 'Kubernetes',
    }), 'CLIENT', 'sleep.default');
    expect(id).toMatchObject({
      podName: 'sleep-58f5c6b977-tbpz6', podIp: '192.168.82.49', namespace: 'default', workload: 'sleep',
      canonicalRevision: 'latest', meshId: 'cluster.local', clusterId: 'Kubernetes',
      upstreamHost: 'httpbin.default.svc.cluster.local', upstreamPort: 8000,
    });
  });

  it('falls back to the app part of app.namespace', () => {
    expect(deriveMeshIdentity(group({ node_id: SLEEP_NODE }), 'SERVER', 'sleep.default')?.workload).toBe('sleep');
  });

  it('leaves application SDK spans without mesh facts', () => {
    expect(deriveMeshIdentity(group({ 'http.method': 'GET' }), 'SERVER', 'frontend')).toBeUndefined();
  });
});
