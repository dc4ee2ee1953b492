import { describe, it, expect } from 'vitest';
import { DecodeContext } from '../ingest/index.js';
import { decodeZipkinJson } from '../zipkin-ingest/index.js';
import { settleTrace } from '../traces/index.js';
import type { StoredTrace } from '../traces/index.js';
import { autocompleteValues, dependencyLinks, serviceNames } from './aggregate.js';

const NOW_MS = 1_700_000_000_000;
const T = NOW_MS * 1000 - 1_000_000;

function trace(spans: Record<string, unknown>[]): StoredTrace {
  const decoded = decodeZipkinJson(spans.map((s) => ({ traceId: '463ac35c9f6413ad', timestamp: T, ...s })), new DecodeContext());
  expect(decoded.rejected).toEqual([]);
  return settleTrace('0000000000000000463ac35c9f6413ad', decoded.spans, NOW_MS);
}

describe('dependencyLinks', () => {
  it('names a side without a service name by its mesh workload, and counts a server-side error', () => {
    const t = trace([
      { id: '1', kind: 'CLIENT', tags: { 'upstream_cluster': 'outbound|80||web.shop.svc.cluster.local', 'istio.canonical_service': 'Ingress-Gateway' } },
      { id: '2', parentId: '1', kind: 'SERVER', localEndpoint: { serviceName: 'Web.Shop' }, tags: { error: 'true' } },
    ]);
    expect(dependencyLinks([t], { endTsMs: NOW_MS, lookbackMs: 60_000 })).toEqual([
      { parent: 'ingress-gateway', child: 'web.shop', callCount: 1, errorCount: 1 },
    ]);
  });

  it('ignores a CLIENT span without a SERVER child', () => {
    const t = trace([{ id: '1', kind: 'CLIENT', localEndpoint: { serviceName: 'a' }, remoteEndpoint: { serviceName: 'b' } }]);
    expect(dependencyLinks([t], { endTsMs: NOW_MS, lookbackMs: 60_000 })).toEqual([]);
  });
});

describe('name aggregations', () => {
  it('skips spans without a service name', () => {
    expect(serviceNames([trace([{ id: '1' }, { id: '2', localEndpoint: { ipv4: '10.0.0.1' } }])])).toEqual([]);
  });

  it('stops collecting autocomplete values at the cap', () => {
    const t = trace(['d', 'c', 'b', 'a'].map((v, i) => ({ id: String(i + 1), tags: { 'http.route': v } })));
    expect(autocompleteValues([t], 'http.route', 3)).toEqual(['b', 'c', 'd']);
    expect(autocompleteValues([t], 'http.route')).toEqual(['a', 'b', 'c', 'd']);
  });
});
