/**
 * Envoy-like span batches for the benchmark and tests: Istio sidecar CLIENT/SERVER pairs with the
 * full sidecar tag set, 128-bit trace ids, in Zipkin v2 JSON shape. Deterministic for a seed.
 */
import { rng } from '../src/simulator/random.js';
import type { SimSpan } from '../src/simulator/types.js';

export { rng };

/** Zipkin v2 JSON as Envoy posts it; the simulator's span shape. */
export type ZipkinJsonSpan = SimSpan;

interface Pod { workload: string; namespace: string; pod: string; ip: string; revision: string }

const WORKLOADS = ['productpage', 'reviews', 'ratings', 'details', 'frontend', 'cartservice', 'checkout', 'currency'];

function hex(rand: () => number, chars: number): string {
  let out = '';
  while (out.length < chars) out += Math.floor(rand() * 0x100000000).toString(16).padStart(8, '0');
  return out.slice(0, chars);
}

function uuid(rand: () => number): string {
  const h = hex(rand, 32);
  // Version nibble '9': Envoy's mark for a sampled request (ENVOY-ISTIO.md §4.2).
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-9${h.slice(13, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function pods(rand: () => number): Pod[] {
  const out: Pod[] = [];
  for (const workload of WORKLOADS) {
    for (let i = 0; i < 3; i++) {
      out.push({ workload, namespace: 'default', pod: `${workload}-v1-${hex(rand, 10)}-${hex(rand, 5)}`, ip: `10.1.${out.length}.${10 + i}`, revision: 'v1' });
    }
  }
  return out;
}

function sidecarTags(p: Pod, cluster: string, requestId: string, rand: () => number, peer: string): Record<string, string> {
  return {
    'node_id': `sidecar~${p.ip}~${p.pod}.${p.namespace}~${p.namespace}.svc.cluster.local`,
    'zone': 'us-east-2c',
    'guid:x-request-id': requestId,
    'http.url': `http://${cluster.split('|')[3] || p.workload}:9080/api/v1/items/${Math.floor(rand() * 5000)}`,
    'http.method': 'GET',
    'downstream_cluster': '-',
    'user_agent': 'python-requests/2.31.0',
    'http.protocol': 'HTTP/1.1',
    'peer.address': peer,
    'request_size': '0',
    'response_size': String(Math.floor(rand() * 5000)),
    'component': 'proxy',
    'upstream_cluster': cluster,
    'upstream_cluster.name': cluster,
    'http.status_code': rand() < 0.02 ? '503' : '200',
    'response_flags': '-',
    'istio.canonical_revision': p.revision,
    'istio.canonical_service': p.workload,
    'istio.mesh_id': 'cluster.local',
    'istio.namespace': p.namespace,
    'istio.cluster_id': 'Kubernetes',
  };
}

/** One hop: the caller's outbound CLIENT span and the callee's inbound SERVER child. */
function pair(rand: () => number, from: Pod, to: Pod, traceId: string, parentId: string | undefined, startUs: number, requestId: string): ZipkinJsonSpan[] {
  const clientId = parentId === undefined ? traceId.slice(16) : hex(rand, 16);
  const serverId = hex(rand, 16);
  const host = `${to.workload}.${to.namespace}.svc.cluster.local`;
  const name = `${host}:9080/*`;
  const clientDuration = 2000 + Math.floor(rand() * 20000);
  const serverDuration = clientDuration - 300 - Math.floor(rand() * 500);
  const client: ZipkinJsonSpan = {
    traceId, id: clientId, kind: 'CLIENT', name, timestamp: startUs, duration: clientDuration,
    localEndpoint: { serviceName: `${from.workload}.${from.namespace}`, ipv4: from.ip },
    tags: sidecarTags(from, `outbound|9080||${host}`, requestId, rand, from.ip),
  };
  if (parentId !== undefined) client.parentId = parentId;
  const server: ZipkinJsonSpan = {
    traceId, parentId: clientId, id: serverId, kind: 'SERVER', name, timestamp: startUs + 150, duration: serverDuration,
    localEndpoint: { serviceName: `${to.workload}.${to.namespace}`, ipv4: to.ip },
    tags: sidecarTags(to, 'inbound|9080||', requestId, rand, from.ip),
  };
  return [client, server];
}

/**
 * `count` spans from traces of 1-3 hops each (2-6 spans), CLIENT/SERVER pairs, in batches of
 * up to `batchSize` spans per reporting sidecar, as Envoy flushes them.
 */
export function envoyBatches(count: number, batchSize = 100, seed = 1, startUs = Date.now() * 1000): ZipkinJsonSpan[][] {
  const rand = rng(seed);
  const all = pods(rand);
  const pick = (): Pod => all[Math.floor(rand() * all.length)]!;
  const spans: ZipkinJsonSpan[] = [];
  let t = startUs;
  while (spans.length < count) {
    const traceId = hex(rand, 32);
    const requestId = uuid(rand);
    let from = pick();
    let parent: string | undefined;
    const hops = 1 + Math.floor(rand() * 3);
    for (let h = 0; h < hops && spans.length < count; h++) {
      const to = pick();
      const [client, server] = pair(rand, from, to, traceId, parent, t + h * 1000, requestId);
      spans.push(client!, server!);
      parent = server!.id;
      from = to;
    }
    t += 50;
  }
  spans.length = count;
  // Each Envoy flushes its own spans: a batch holds one sidecar's inbound SERVER and outbound
  // CLIENT spans, from many traces.
  const byReporter = new Map<string, ZipkinJsonSpan[]>();
  for (const s of spans) {
    const list = byReporter.get(s.tags['node_id']!);
    if (list === undefined) byReporter.set(s.tags['node_id']!, [s]);
    else list.push(s);
  }
  const batches: ZipkinJsonSpan[][] = [];
  for (const list of byReporter.values()) {
    for (let i = 0; i < list.length; i += batchSize) batches.push(list.slice(i, i + batchSize));
  }
  return batches;
}
