/**
 * Istio's Bookinfo sample (samples/bookinfo): productpage calls details, then reviews; reviews v2
 * and v3 call ratings, v1 does not. All HTTP/1.1 on port 9080 in `default`.
 */
import { only, sequential } from '../topology.js';
import type { Topology } from '../topology.js';

const NS = 'default';

export const BOOKINFO: Topology = {
  name: 'bookinfo',
  // bookinfo-gateway's VirtualService matches `exact: /productpage`, so the route decorator is
  // `<host>:<port>/productpage` rather than `/*`.
  entry: { workload: 'productpage', host: 'bookinfo.example.com', path: '/productpage', operation: 'productpage.default.svc.cluster.local:9080/productpage' },
  workloads: [
    {
      name: 'productpage', namespace: NS, port: 9080, protocol: 'http', pods: ['v1', 'v1'],
      latencyMs: { median: 4, sigma: 0.5 }, userAgent: 'python-requests/2.31.0',
      handlers: only(
        sequential({ to: 'details', path: '/details/{id}' }),
        sequential({ to: 'reviews', path: '/reviews/{id}' }),
        // Not in the upstream sample: a background prefetch of the next product's details, so
        // Bookinfo has an async call for `drop-async` to drop.
        sequential({ to: 'details', path: '/details/{id}', p: 0.2, async: true }),
      ),
    },
    {
      name: 'details', namespace: NS, port: 9080, protocol: 'http', pods: ['v1'],
      latencyMs: { median: 1.5, sigma: 0.4 }, userAgent: 'Ruby', handlers: [],
    },
    {
      name: 'reviews', namespace: NS, port: 9080, protocol: 'http', pods: ['v1', 'v2', 'v3'],
      latencyMs: { median: 6, sigma: 0.6 }, userAgent: 'Apache-CXF/3.1.18',
      handlers: only(sequential({ to: 'ratings', path: '/ratings/{id}', versions: ['v2', 'v3'] })),
    },
    {
      name: 'ratings', namespace: NS, port: 9080, protocol: 'http', pods: ['v1'],
      latencyMs: { median: 1, sigma: 0.4 }, userAgent: 'node', handlers: [],
    },
  ],
  originator: {
    name: 'cache-warmer', namespace: NS, pods: ['v1'], userAgent: 'curl/8.6.0', periodMs: 200,
    call: { to: 'productpage', path: '/productpage?u=normal' },
  },
};
