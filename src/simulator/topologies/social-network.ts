/**
 * DeathStarBench's social network (delimitrou/DeathStarBench socialNetwork): an nginx front door
 * in front of compose-post, home-timeline and user-timeline paths. Upstream speaks Thrift between
 * services, which a sidecar would only see as TCP; here every hop is HTTP/1.1 so it is traced.
 * Workloads go by short names (`compose-post`, not `compose-post-service`).
 */
import { only, parallel, sequential } from '../topology.js';
import type { Topology, WorkloadSpec } from '../topology.js';

const NS = 'social-network';
const PORT = 9090;
const UA = 'thrift-http/0.12.0';

function leaf(name: string, median: number, pods: readonly string[] = ['v1']): WorkloadSpec {
  return { name, namespace: NS, port: PORT, protocol: 'http', pods, latencyMs: { median, sigma: 0.5 }, userAgent: UA, handlers: [] };
}

export const SOCIAL_NETWORK: Topology = {
  name: 'social-network',
  entry: { workload: 'nginx-web-server', host: 'social.example.com', path: '/wrk2-api/home-timeline/read', operation: 'nginx-web-server.social-network.svc.cluster.local:8080/*' },
  workloads: [
    {
      name: 'nginx-web-server', namespace: NS, port: 8080, protocol: 'http', pods: ['v1', 'v1'],
      latencyMs: { median: 0.5, sigma: 0.4 }, userAgent: UA,
      handlers: [
        { weight: 0.1, stages: [sequential({ to: 'compose-post', path: '/ComposePost', method: 'POST' })] },
        { weight: 0.6, stages: [sequential({ to: 'home-timeline', path: '/ReadHomeTimeline' })] },
        { weight: 0.3, stages: [sequential({ to: 'user-timeline', path: '/ReadUserTimeline' })] },
      ],
    },
    {
      name: 'compose-post', namespace: NS, port: PORT, protocol: 'http', pods: ['v1', 'v1'],
      latencyMs: { median: 1, sigma: 0.5 }, userAgent: UA,
      handlers: only(
        parallel(
          { to: 'text', path: '/ComposeText', method: 'POST' },
          { to: 'media', path: '/ComposeMedia', method: 'POST', p: 0.3 },
          { to: 'unique-id', path: '/ComposeUniqueId', method: 'POST' },
          { to: 'user', path: '/ComposeCreatorWithUserId', method: 'POST' },
        ),
        sequential({ to: 'post-storage', path: '/StorePost', method: 'POST' }),
        // Timeline writes go through a queue upstream; the post is stored before they happen.
        sequential(
          { to: 'user-timeline', path: '/WriteUserTimeline', method: 'POST', async: true },
          { to: 'home-timeline', path: '/WriteHomeTimeline', method: 'POST', async: true },
        ),
      ),
    },
    {
      name: 'text', namespace: NS, port: PORT, protocol: 'http', pods: ['v1'],
      latencyMs: { median: 0.8, sigma: 0.5 }, userAgent: UA,
      handlers: only(parallel(
        { to: 'url-shorten', path: '/ComposeUrls', method: 'POST', p: 0.5 },
        { to: 'user-mention', path: '/ComposeUserMentions', method: 'POST', p: 0.5 },
      )),
    },
    leaf('url-shorten', 1),
    leaf('user-mention', 1.2),
    leaf('media', 0.6),
    leaf('unique-id', 0.2),
    leaf('user', 0.8),
    leaf('post-storage', 1.5, ['v1', 'v1', 'v1']),
    {
      name: 'user-timeline', namespace: NS, port: PORT, protocol: 'http', pods: ['v1', 'v1'],
      latencyMs: { median: 1, sigma: 0.5 }, userAgent: UA,
      handlers: only(sequential({ to: 'post-storage', path: '/ReadPosts', p: 0.7 })),
    },
    {
      name: 'home-timeline', namespace: NS, port: PORT, protocol: 'http', pods: ['v1', 'v1'],
      latencyMs: { median: 1, sigma: 0.5 }, userAgent: UA,
      handlers: only(
        sequential({ to: 'social-graph', path: '/GetFollowers', p: 0.3 }),
        sequential({ to: 'post-storage', path: '/ReadPosts', p: 0.8 }),
      ),
    },
    {
      name: 'social-graph', namespace: NS, port: PORT, protocol: 'http', pods: ['v1'],
      latencyMs: { median: 0.8, sigma: 0.5 }, userAgent: UA,
      handlers: only(sequential({ to: 'user', path: '/GetUserId', p: 0.2 })),
    },
  ],
  originator: {
    name: 'post-archiver', namespace: NS, pods: ['v1'], userAgent: 'python-requests/2.31.0', periodMs: 250,
    call: { to: 'post-storage', path: '/ReadPosts' },
  },
};
