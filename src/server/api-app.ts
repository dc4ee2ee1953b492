/**
 * meshtrace's own HTTP API (port 8080): health, readiness and status. Later also the dashboard
 * and metrics.
 */
import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';

export interface ApiAppOptions {
  readonly logger: FastifyBaseLogger;
  /** False until every listener is up, and again once shutdown begins. */
  readonly isReady: () => boolean;
  /** A JSON-able snapshot of ingest, buffer and store state. */
  readonly status: () => unknown;
  /** Registers more routes (trace views and the like) on the same instance. */
  readonly routes?: (app: FastifyInstance) => Promise<void>;
}

export async function buildApiApp(opts: ApiAppOptions): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: opts.logger });
  // Probes and API reads are frequent: log their requests only when something goes wrong.
  await app.register(async (scope) => {
    scope.get('/healthz', async () => ({ status: 'ok' }));
    scope.get('/readyz', async (_req, reply) => {
      if (opts.isReady()) return { status: 'ready' };
      return reply.code(503).send({ status: 'not-ready' });
    });
    scope.get('/api/status', async () => opts.status());
    if (opts.routes !== undefined) await scope.register(opts.routes);
  }, { logLevel: 'warn' });
  return app;
}
