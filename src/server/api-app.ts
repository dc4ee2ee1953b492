/**
 * meshtrace's own HTTP API (port 8080): health, readiness, status, Prometheus metrics, and the
 * routes the server adds (JSON API, dashboard). Read-only; behind auth when configured, except
 * the probes.
 */
import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { isDashboardFile } from './dashboard.js';
import { protect } from './security.js';
import type { AuthConfig } from './security.js';

export interface ApiAppOptions {
  readonly logger: FastifyBaseLogger;
  /** False until every listener is up, and again once shutdown begins. */
  readonly isReady: () => boolean;
  /** A JSON-able snapshot of ingest, buffer and store state. */
  readonly status: () => unknown;
  /** Registers more routes (trace views and the like) on the same instance. */
  readonly routes?: (app: FastifyInstance) => Promise<void>;
  readonly auth?: AuthConfig;
  /** Served as `GET /metrics` when given. */
  readonly metrics?: Registry;
}

export async function buildApiApp(opts: ApiAppOptions): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: opts.logger });
  protect(app, { auth: opts.auth ?? { kind: 'none' }, openPaths: ['/healthz', '/readyz'], openWithBearer: isDashboardFile });
  // Probes and API reads are frequent: log their requests only when something goes wrong.
  await app.register(async (scope) => {
    scope.get('/healthz', async () => ({ status: 'ok' }));
    scope.get('/readyz', async (_req, reply) => {
      if (opts.isReady()) return { status: 'ready' };
      return reply.code(503).send({ status: 'not-ready' });
    });
    scope.get('/api/status', async () => opts.status());
    const metrics = opts.metrics;
    if (metrics !== undefined) {
      scope.get('/metrics', async (_req, reply) => reply.type(metrics.contentType).send(await metrics.metrics()));
    }
    if (opts.routes !== undefined) await scope.register(opts.routes);
  }, { logLevel: 'warn' });
  return app;
}
