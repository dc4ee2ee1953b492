/**
 * `meshtrace serve --demo`: plays simulated Bookinfo traffic into the server it runs beside, in
 * real time, with `reviews` dropping the trace headers, so a newcomer sees a live propagation
 * report within seconds and without a cluster.
 */
import type { Logger } from 'pino';
import { play, simulate } from '../simulator/index.js';

export interface DemoTarget { readonly zipkinPort: number; readonly host: string }

/** Requests per simulated chunk; each chunk is played at its own simulated pace. */
const CHUNK = 400;

export function startDemo(target: DemoTarget, logger: Logger): { stop: () => Promise<void> } {
  const controller = new AbortController();
  const host = target.host === '0.0.0.0' || target.host === '::' ? '127.0.0.1' : target.host;
  const zipkinUrl = `http://${host.includes(':') ? `[${host}]` : host}:${target.zipkinPort}`;
  logger.info({ topology: 'bookinfo', breaking: 'reviews (forwards no headers)' }, 'demo: playing simulated Bookinfo traffic; open /api/propagation/report or run `meshtrace report`');
  const loop = (async () => {
    for (let seed = 1; !controller.signal.aborted; seed++) {
      const { batches } = simulate({
        topology: 'bookinfo', provider: 'zipkin', samplingPercent: 100, concurrency: 8, requests: CHUNK, clockSkewMs: 20,
        behaviours: { reviews: 'forward-none' }, seed, startUs: Date.now() * 1000,
      });
      const result = await play(batches, 'zipkin', { zipkinUrl }, { realtime: true, signal: controller.signal });
      if (result.failures > 0) logger.warn({ failures: result.failures }, 'demo: some batches were not accepted');
    }
  })().catch((err: unknown) => logger.error({ err }, 'demo traffic stopped'));
  return {
    stop: async () => {
      controller.abort();
      await loop;
    },
  };
}
